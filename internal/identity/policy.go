package identity

// basePolicies are the shared rules every identity rule builds on. With
// Keystone's secure-RBAC personas: admin (role admin; on a project-scoped
// token it is a cloud admin, as in Keystone with enforce_scope off),
// member and reader; system scope for the operator's reader.
var basePolicies = map[string]string{
	"admin_required":                 "role:admin or is_admin:1",
	"service_role":                   "role:service",
	"service_or_admin":               "rule:admin_required or rule:service_role",
	"owner":                          "user_id:%(user_id)s",
	"admin_or_owner":                 "rule:admin_required or rule:owner",
	"token_subject":                  "user_id:%(target.token.user_id)s",
	"admin_or_token_subject":         "rule:admin_required or rule:token_subject",
	"service_admin_or_token_subject": "rule:service_or_admin or rule:token_subject",
	"system_reader":                  "role:reader and system_scope:all",
	"system_admin":                   "role:admin and system_scope:all",
	"default":                        "rule:admin_required",
}

// PolicyDefaults returns the identity service's default policy rules.
func PolicyDefaults() map[string]string {
	out := map[string]string{}
	for _, m := range []map[string]string{basePolicies, directoryPolicies, authPolicies} {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
