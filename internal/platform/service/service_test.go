package service

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPolicy: a service's enforcer has its defaults, overridden by its
// own file of the policy directory and no other service's.
func TestPolicy(t *testing.T) {
	env := NewEnv("")
	env.Config.PolicyDir = t.TempDir()
	if err := os.WriteFile(filepath.Join(env.Config.PolicyDir, "compute.yaml"), []byte(`"r": "role:member"`), 0o600); err != nil {
		t.Fatal(err)
	}
	defaults := map[string]string{"r": "role:admin", "s": "role:admin"}
	member := map[string]any{"roles": []string{"member"}}
	for _, tc := range []struct {
		service string
		r       bool
	}{{"compute", true}, {"image", false}} {
		pol, err := env.Policy(tc.service, defaults)
		if err != nil {
			t.Fatal(err)
		}
		if r, s := pol.Enforce("r", nil, member), pol.Enforce("s", nil, member); r != tc.r || s {
			t.Errorf("%s: member may r %v, s %v; want %v, false", tc.service, r, s, tc.r)
		}
	}
}
