package policies

// Quota, quota class, limits and message rule names (Cinder's).
const (
	QuotaShow   = "volume_extension:quotas:show"
	QuotaUpdate = "volume_extension:quotas:update"
	QuotaDelete = "volume_extension:quotas:delete"
	QuotaClass  = "volume_extension:quota_classes"
	Limits      = "limits_extension:used_limits"

	MessageGetAll = "message:get_all"
	MessageGet    = "message:get"
	MessageDelete = "message:delete"
)

// extraRules are the rules of quotas, quota classes, limits and
// messages: a project reads its own quotas and messages, an admin
// changes quotas.
func extraRules() map[string]string {
	return map[string]string{
		QuotaShow:     AdminOrOwner,
		QuotaUpdate:   Admin,
		QuotaDelete:   Admin,
		QuotaClass:    Admin,
		Limits:        Anyone,
		MessageGetAll: AdminOrOwner,
		MessageGet:    AdminOrOwner,
		MessageDelete: AdminOrOwner,
	}
}
