package acl

import (
	"testing"

	"github.com/gostack/gostack/internal/platform/auth"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, header, in, want, err string
	}{
		{"spaces", "x-container-read", "bob, sue", "bob,sue", ""},
		{"empty items", "x-container-read", "bob,,,sue", "bob,sue", ""},
		{"referrer long form", "x-container-read", ".referrer : *", ".r:*", ""},
		{"domain star", "x-container-read", ".ref:*.example.com", ".r:.example.com", ""},
		{"listings", "x-container-read", ".r:*, .rlistings", ".r:*,.rlistings", ""},
		{"negated", "x-container-read", ".r:-thief.com", ".r:-thief.com", ""},
		{"group with colon", "x-container-read", "proj:user", "proj:user", ""},
		{"unknown designator", "x-container-read", ".x:y", "", "Unknown designator '.x' in ACL: '.x:y'"},
		{"referrer in write", "x-container-write", ".r:*", "", "Referrers not allowed in write ACL: '.r:*'"},
		{"no host", "x-container-read", ".r:", "", "No host/domain value after referrer designation in ACL: '.r:'"},
		{"dot host", "x-container-read", ".r:-.", "", "No host/domain value after referrer designation in ACL: '.r:-.'"},
	}
	for _, tt := range tests {
		got, err := Clean(tt.header, tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: Clean = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestReferrerAllowed(t *testing.T) {
	tests := []struct {
		referrer string
		acl      []string
		want     bool
	}{
		{"", nil, false},
		{"", []string{"*"}, true},
		{"http://www.example.com/x", []string{".example.com"}, true},
		{"http://www.example.com/x", []string{"example.com"}, false},
		{"http://thief.example.com/x", []string{".example.com", "-thief.example.com"}, false},
		{"http://good.example.com/x", []string{"*", "-.example.com"}, false},
		{"http://other.org/x", []string{"*", "-.example.com"}, true},
	}
	for _, tt := range tests {
		if got := ReferrerAllowed(tt.referrer, tt.acl); got != tt.want {
			t.Errorf("ReferrerAllowed(%q, %v) = %v, want %v", tt.referrer, tt.acl, got, tt.want)
		}
	}
}

func TestAuthorize(t *testing.T) {
	rules := Rules{ResellerPrefix: "AUTH_", OperatorRoles: []string{"admin", "member"}, ResellerAdminRole: "reselleradmin", ReaderRoles: []string{"projreader"}}
	user := func(project string, roles ...string) *auth.Credentials {
		return &auth.Credentials{UserID: "u1", UserName: "alice", ProjectID: project, ProjectName: "pname", Roles: roles}
	}
	tests := []struct {
		name  string
		c     *auth.Credentials
		req   Request
		want  int
		owner bool
	}{
		{"owner", user("p1", "member"), Request{Method: "PUT", Account: "AUTH_p1", Container: "c"}, 0, true},
		{"owner role case", user("p1", "Admin"), Request{Method: "GET", Account: "AUTH_p1"}, 0, true},
		{"owner may not delete account", user("p1", "admin"), Request{Method: "DELETE", Account: "AUTH_p1"}, 403, false},
		{"other project", user("p2", "member"), Request{Method: "GET", Account: "AUTH_p1", Container: "c"}, 403, false},
		{"reseller", user("p2", "ResellerAdmin"), Request{Method: "DELETE", Account: "AUTH_p1"}, 0, true},
		{"project reader reads", user("p1", "projreader"), Request{Method: "GET", Account: "AUTH_p1", Container: "c"}, 0, false},
		{"project reader may not write", user("p1", "projreader"), Request{Method: "PUT", Account: "AUTH_p1", Container: "c", Object: "o"}, 403, false},
		{"no roles", user("p1"), Request{Method: "GET", Account: "AUTH_p1"}, 403, false},
		{"acl by id", user("p2"), Request{Method: "GET", Account: "AUTH_p1", Container: "c", Object: "o", ACL: "p2:u1"}, 0, false},
		{"acl by project star", user("p2"), Request{Method: "GET", Account: "AUTH_p1", Container: "c", ACL: "p2:*"}, 0, false},
		{"acl by name", user("p2"), Request{Method: "GET", Account: "AUTH_p1", Container: "c", ACL: "pname:alice"}, 0, false},
		{"acl other user", user("p2"), Request{Method: "GET", Account: "AUTH_p1", Container: "c", ACL: "p2:bob"}, 403, false},
		{"acl by role", user("p1", "auditor"), Request{Method: "GET", Account: "AUTH_p1", Container: "c", ACL: "auditor"}, 0, false},
		{"role acl is per project", user("p2", "auditor"), Request{Method: "GET", Account: "AUTH_p1", Container: "c", ACL: "auditor"}, 403, false},
		{"referrer object", user("p2"), Request{Method: "GET", Account: "AUTH_p1", Container: "c", Object: "o", ACL: ".r:*"}, 0, false},
		{"referrer listing denied", user("p2"), Request{Method: "GET", Account: "AUTH_p1", Container: "c", ACL: ".r:*"}, 403, false},
		{"anonymous denied", nil, Request{Method: "GET", Account: "AUTH_p1", Container: "c", Object: "o"}, 401, false},
		{"anonymous referrer", nil, Request{Method: "GET", Account: "AUTH_p1", Container: "c", Object: "o", ACL: ".r:*"}, 0, false},
		{"anonymous listing", nil, Request{Method: "GET", Account: "AUTH_p1", Container: "c", ACL: ".r:*,.rlistings"}, 0, false},
		{"anonymous foreign prefix", nil, Request{Method: "GET", Account: "OTHER_p1", Container: "c", Object: "o", ACL: ".r:*"}, 401, false},
		{"options always", nil, Request{Method: "OPTIONS", Account: "AUTH_p1"}, 0, false},
	}
	for _, tt := range tests {
		d := rules.Authorize(tt.c, tt.req)
		if d.Status != tt.want || d.Owner != tt.owner {
			t.Errorf("%s: %+v, want status %d owner %v", tt.name, d, tt.want, tt.owner)
		}
	}
}
