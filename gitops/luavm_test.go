// The Lua interpreter Argo CD uses (gopher-lua), opened the way Argo CD opens it for scripts
// loaded from argocd-cm: package, base and table libraries, and a safe os (time and date only).
// No string library: a script that needs it fails here as it would in Argo CD.
package gitops

import (
	"context"
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"
)

var safeOs = map[string]lua.LGFunction{
	"time": func(l *lua.LState) int {
		l.Push(lua.LNumber(time.Now().Unix()))
		return 1
	},
	"date": func(l *lua.LState) int {
		l.Push(lua.LString(time.Now().Format(time.RFC3339)))
		return 1
	},
}

// runScript runs script with the global obj set to the object and returns what it returned.
func runScript(obj map[string]any, script string) (lua.LValue, error) {
	return runAction(obj, script, nil)
}

// runAction runs script as runScript does, with the global actionParams set to params as Argo CD
// sets an action's parameters (a table of strings); nil leaves actionParams unset, as Argo CD
// versions without action parameters do.
func runAction(obj map[string]any, script string, params map[string]string) (lua.LValue, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.OsLibName, func(l *lua.LState) int {
			l.Push(l.RegisterModule(lua.OsLibName, safeOs))
			return 1
		}},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj))
	if params != nil {
		t := l.NewTable()
		for k, v := range params {
			t.RawSetString(k, lua.LString(v))
		}
		l.SetGlobal("actionParams", t)
	}
	if err := l.DoString(script); err != nil {
		return nil, err
	}
	return l.Get(l.GetTop()), nil
}

func toLua(l *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(v)
	case string:
		return lua.LString(v)
	case int64:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case map[string]any:
		t := l.NewTable()
		for k, e := range v {
			t.RawSetString(k, toLua(l, e))
		}
		return t
	case []any:
		t := l.NewTable()
		for _, e := range v {
			t.Append(toLua(l, e))
		}
		return t
	default:
		panic(fmt.Sprintf("unexpected %T", v))
	}
}

// fromLua turns a returned table back into JSON-like Go values (arrays when keys are 1..n).
func fromLua(v lua.LValue) any {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil
	case lua.LBool:
		return bool(v)
	case lua.LString:
		return string(v)
	case lua.LNumber:
		if float64(v) == float64(int64(v)) {
			return int64(v)
		}
		return float64(v)
	case *lua.LTable:
		if n := v.Len(); n > 0 {
			out := make([]any, 0, n)
			for i := 1; i <= n; i++ {
				out = append(out, fromLua(v.RawGetInt(i)))
			}
			return out
		}
		out := map[string]any{}
		v.ForEach(func(k, e lua.LValue) { out[k.String()] = fromLua(e) })
		return out
	default:
		panic(fmt.Sprintf("unexpected lua value %s", v.Type()))
	}
}
