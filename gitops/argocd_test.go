// Argo CD's health and action tests, run with Argo CD's interpreter against the files in
// argocd/<group>/<kind>/ exactly as Argo CD's own resource_customizations tests read them.
package gitops

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
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
		} `json:"result"`
	} `json:"discoveryTests"`
	ActionTests []struct {
		Action             string `json:"action"`
		InputPath          string `json:"inputPath"`
		ExpectedOutputPath string `json:"expectedOutputPath"`
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
			got := map[string]bool{}
			if table, ok := fromLua(ret).(map[string]any); ok {
				for name, a := range table {
					disabled, _ := a.(map[string]any)["disabled"].(bool)
					got[name] = disabled
				}
			}
			want := map[string]bool{}
			for _, r := range tc.Result {
				want[r.Name] = r.Disabled
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	for _, tc := range tests.ActionTests {
		t.Run(tc.Action+"/"+tc.InputPath, func(t *testing.T) {
			ret, err := runScript(object(t, filepath.Join(customization, tc.InputPath)), script(t, filepath.Join("actions", tc.Action, "action.lua")))
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
