package api

import (
	"maps"

	taskapi "github.com/gostack/gostack/internal/image/imports/api"
	metadefapi "github.com/gostack/gostack/internal/image/metadef/api"
)

// PolicyDefaults returns the image service's default policy rules, the
// metadata catalog's included: Glance's rule names with its secure-RBAC
// defaults. Admin may do everything; members manage their own project's
// images; readers read.
func PolicyDefaults() map[string]string {
	const (
		admin        = "role:admin"
		memberOwner  = "role:admin or (role:member and project_id:%(project_id)s)"
		readerOwner  = "role:admin or ((role:reader or role:member) and project_id:%(project_id)s)"
		readerOrMemb = "role:admin or ((role:reader or role:member) and (project_id:%(project_id)s or project_id:%(member_id)s or 'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s))"
	)
	rules := map[string]string{
		"context_is_admin": admin,
		"default":          "",
		"admin_or_owner":   "is_admin:True or project_id:%(owner)s",

		"add_image":         memberOwner,
		"delete_image":      memberOwner,
		"get_image":         readerOrMemb,
		"get_images":        "role:reader or role:member or role:admin",
		"modify_image":      memberOwner,
		"publicize_image":   admin,
		"communitize_image": memberOwner,
		"download_image":    readerOrMemb,
		"upload_image":      memberOwner,

		"delete_image_location": memberOwner,
		"get_image_location":    readerOwner,
		"set_image_location":    memberOwner,
		"fetch_image_location":  "role:service",
		"add_image_location":    "role:admin or role:service",

		"add_member":    memberOwner,
		"delete_member": memberOwner,
		"get_member":    "role:admin or ((role:reader or role:member) and (project_id:%(project_id)s or project_id:%(member_id)s))",
		"get_members":   "role:admin or ((role:reader or role:member) and (project_id:%(project_id)s or project_id:%(member_id)s))",
		"modify_member": "role:admin or (role:member and project_id:%(member_id)s)",

		"manage_image_cache": admin,
		"cache_image":        admin,
		"cache_list":         admin,
		"cache_delete":       admin,

		"deactivate": memberOwner,
		"reactivate": memberOwner,
		"copy_image": admin,

		"stores_info_detail":      admin,
		"delete_image_from_store": admin,
	}
	maps.Copy(rules, taskapi.PolicyDefaults())
	maps.Copy(rules, metadefapi.PolicyDefaults())
	return rules
}
