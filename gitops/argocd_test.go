// Argo CD's health and action tests, run with Argo CD's interpreter against the files in
// argocd/<group>/<kind>/ exactly as Argo CD's own resource_customizations tests read them.
package gitops

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

const customization = "argocd/publiccloud.ovh-operator.dev/PublicCloudProject"

type healthTests struct {
	Tests []struct {
		HealthStatus struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"healthStatus"`
		InputPath string `json:"inputPath"`
	} `json:"tests"`
}

type actionTests struct {
	DiscoveryTests []struct {
		InputPath string `json:"inputPath"`
		Result    []struct {
			Name     string `json:"name"`
			Disabled bool   `json:"disabled"`
			Params   []struct {
				Name    string `json:"name"`
				Default string `json:"default"`
			} `json:"params"`
		} `json:"result"`
	} `json:"discoveryTests"`
	ActionTests []struct {
		Action             string `json:"action"`
		InputPath          string `json:"inputPath"`
		ExpectedOutputPath string `json:"expectedOutputPath"`
		// As in Argo CD's own action tests (apps/Deployment scale): the action's parameters.
		// Absent: Argo CD passes none (actionParams unset).
		Parameters map[string]string `json:"parameters"`
		// The action must fail with an error containing this, and change nothing.
		ExpectedError string `json:"expectedError"`
	} `json:"actionTests"`
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// object reads a Kubernetes object as Argo CD's unstructured form (JSON numbers as int64/float64).
func object(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(js, &obj); err != nil {
		t.Fatal(err)
	}
	return normalize(obj).(map[string]any)
}

func normalize(v any) any {
	switch v := v.(type) {
	case float64:
		if v == float64(int64(v)) {
			return int64(v)
		}
		return v
	case map[string]any:
		for k, e := range v {
			v[k] = normalize(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = normalize(e)
		}
		return v
	default:
		return v
	}
}

func script(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(customization, path))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestHealth(t *testing.T) {
	var tests healthTests
	readYAML(t, filepath.Join(customization, "health_test.yaml"), &tests)
	if len(tests.Tests) == 0 {
		t.Fatal("no health tests")
	}
	health := script(t, "health.lua")
	for _, tc := range tests.Tests {
		t.Run(tc.InputPath, func(t *testing.T) {
			ret, err := runScript(object(t, filepath.Join(customization, tc.InputPath)), health)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := ret.(*lua.LTable)
			if !ok {
				t.Fatalf("health.lua returned %s, not a table", ret.Type())
			}
			status, message := got.RawGetString("status").String(), got.RawGetString("message").String()
			if status != tc.HealthStatus.Status || message != tc.HealthStatus.Message {
				t.Errorf("got %s %q, want %s %q", status, message, tc.HealthStatus.Status, tc.HealthStatus.Message)
			}
			t.Logf("%s: %s %q", tc.InputPath, status, message)
		})
	}
}

func TestActions(t *testing.T) {
	var tests actionTests
	readYAML(t, filepath.Join(customization, "actions/action_test.yaml"), &tests)
	if len(tests.DiscoveryTests) == 0 || len(tests.ActionTests) == 0 {
		t.Fatal("no action tests")
	}
	discovery := script(t, "actions/discovery.lua")
	for _, tc := range tests.DiscoveryTests {
		t.Run("discovery/"+tc.InputPath, func(t *testing.T) {
			ret, err := runScript(object(t, filepath.Join(customization, tc.InputPath)), discovery)
			if err != nil {
				t.Fatal(err)
			}
			// name → "disabled=…;param=default;…", to compare names, flags and parameters at once.
			got := map[string]string{}
			if table, ok := fromLua(ret).(map[string]any); ok {
				for name, a := range table {
					action := a.(map[string]any)
					disabled, _ := action["disabled"].(bool)
					got[name] = fmt.Sprintf("disabled=%v", disabled)
					params, _ := action["params"].([]any)
					for _, p := range params {
						p := p.(map[string]any)
						got[name] += fmt.Sprintf(";%v=%v", p["name"], p["default"])
					}
				}
			}
			want := map[string]string{}
			for _, r := range tc.Result {
				want[r.Name] = fmt.Sprintf("disabled=%v", r.Disabled)
				for _, p := range r.Params {
					want[r.Name] += fmt.Sprintf(";%s=%s", p.Name, p.Default)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	for _, tc := range tests.ActionTests {
		t.Run(tc.Action+"/"+tc.InputPath+"/"+fmt.Sprint(tc.Parameters), func(t *testing.T) {
			ret, err := runAction(object(t, filepath.Join(customization, tc.InputPath)), script(t, filepath.Join("actions", tc.Action, "action.lua")), tc.Parameters)
			if tc.ExpectedError != "" {
				if err == nil {
					t.Fatalf("the action ran (%v), want the error %q", fromLua(ret), tc.ExpectedError)
				}
				if !strings.Contains(err.Error(), tc.ExpectedError) {
					t.Fatalf("got the error %q, want one containing %q", err, tc.ExpectedError)
				}
				t.Logf("refused: %v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := normalize(fromLua(ret))
			want := object(t, filepath.Join(customization, tc.ExpectedOutputPath))
			if !reflect.DeepEqual(got, any(want)) {
				g, _ := json.MarshalIndent(got, "", "  ")
				w, _ := json.MarshalIndent(want, "", "  ")
				t.Errorf("got\n%s\nwant\n%s", g, w)
			}
		})
	}
}
