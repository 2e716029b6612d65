package federation

// Policies are the default rules of OS-FEDERATION under Keystone's names:
// administrators manage identity providers, protocols, mappings and
// service providers; system readers read them. Listing what a federated
// token may scope to is every user's right.
func Policies() map[string]string {
	const admin = "rule:admin_required"
	const read = "rule:admin_required or (role:reader and system_scope:all)"
	out := map[string]string{
		"identity:list_projects_for_user": "",
		"identity:list_domains_for_user":  "",
	}
	for _, kind := range []string{"identity_provider", "protocol", "mapping", "service_provider"} {
		out["identity:create_"+kind] = admin
		out["identity:update_"+kind] = admin
		out["identity:delete_"+kind] = admin
		out["identity:get_"+kind] = read
		out["identity:list_"+kind+"s"] = read
	}
	return out
}
