// What Flux (and `kubectl wait`/kpt) conclude about each testdata object: the real kstatus
// library computing the status of the objects the operator wrote during its end-to-end tests.
package gitops

import (
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type kstatusTests struct {
	Tests []struct {
		InputPath string `json:"inputPath"`
		Status    string `json:"status"`
		Message   string `json:"message"`
	} `json:"tests"`
}

func TestKstatus(t *testing.T) {
	var tests kstatusTests
	readYAML(t, "kstatus_test.yaml", &tests)
	if len(tests.Tests) == 0 {
		t.Fatal("no kstatus tests")
	}
	for _, tc := range tests.Tests {
		t.Run(tc.InputPath, func(t *testing.T) {
			obj := &unstructured.Unstructured{Object: object(t, filepath.Join(customization, tc.InputPath))}
			res, err := status.Compute(obj)
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Status) != tc.Status || res.Message != tc.Message {
				t.Errorf("got %s %q, want %s %q", res.Status, res.Message, tc.Status, tc.Message)
			}
			t.Logf("%s: %s %q", tc.InputPath, res.Status, res.Message)
		})
	}
}
