// Package rows holds the SQL fragments the networking stores share: the
// visibility condition of a list, equality filters, the RBAC sharing
// condition and the stored form of a route. It is a leaf: the root store
// and the area stores (l3, secgroups, extras) all build on it.
package rows

import "github.com/gostack/gostack/internal/platform/db"

// Route is the stored (JSON) form of a subnet's host route and of a
// router's extra route.
type Route struct {
	Destination string `json:"destination"`
	NextHop     string `json:"nexthop"`
}

// Scope appends the visibility condition of a list: the scope's own
// project's rows, plus those matching also (shared ones), unless admin.
func Scope(a *db.Args, project string, admin bool, also string) string {
	if admin {
		return "TRUE"
	}
	c := "project_id = " + a.Add(project)
	if also != "" {
		c = "(" + c + " OR " + also + ")"
	}
	return c
}

// Eq appends "col IN (...)" for vals to where, or nothing when vals is
// empty.
func Eq(a *db.Args, where []string, col string, vals []string) []string {
	if len(vals) == 0 {
		return where
	}
	return append(where, col+" IN ("+db.List(a, vals)+")")
}

// RBACVisible is the condition a list of objectType rows (with an id
// column) adds for a non-admin: the rows an RBAC policy shares with
// project, or with every project. ListNetworks ORs it into its scope
// ("shared OR external OR "+RBACVisible(&a, "network", project)).
func RBACVisible(a *db.Args, objectType, project string) string {
	return "id IN (SELECT object_id FROM rbac_policies WHERE object_type = " + a.Add(objectType) +
		" AND target_tenant IN ('*', " + a.Add(project) + "))"
}
