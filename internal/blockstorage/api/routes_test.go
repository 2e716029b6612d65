package api

import (
	"testing"

	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// Every token route names a rule, and every rule named has a default.
func TestRoutesNamePolicies(t *testing.T) {
	apitest.CheckRoutes(t, (&Handler{}).Routes(), policies.Defaults())
}
