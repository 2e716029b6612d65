package policies

// Volume type, extra spec, type access, encryption, QoS specs, default
// type and group type rule names (Cinder's).
const (
	TypeCreate = "volume_extension:type_create"
	TypeUpdate = "volume_extension:type_update"
	TypeDelete = "volume_extension:type_delete"
	TypeGet    = "volume_extension:type_get"
	TypeGetAll = "volume_extension:type_get_all"

	ExtraSpecsIndex  = "volume_extension:types_extra_specs:index"
	ExtraSpecsShow   = "volume_extension:types_extra_specs:show"
	ExtraSpecsCreate = "volume_extension:types_extra_specs:create"
	ExtraSpecsUpdate = "volume_extension:types_extra_specs:update"
	ExtraSpecsDelete = "volume_extension:types_extra_specs:delete"
	// AccessExtraSpecs lets a caller see a type's extra specs in its
	// show and list.
	AccessExtraSpecs = "volume_extension:access_types_extra_specs"
	// AccessQoSSpecsID lets a caller see a type's qos_specs_id.
	AccessQoSSpecsID = "volume_extension:access_types_qos_specs_id"

	TypeAccessList   = "volume_extension:volume_type_access:get_all_for_type"
	TypeAccessAdd    = "volume_extension:volume_type_access:addProjectAccess"
	TypeAccessRemove = "volume_extension:volume_type_access:removeProjectAccess"

	EncryptionCreate = "volume_extension:volume_type_encryption:create"
	EncryptionGet    = "volume_extension:volume_type_encryption:get"
	EncryptionUpdate = "volume_extension:volume_type_encryption:update"
	EncryptionDelete = "volume_extension:volume_type_encryption:delete"

	QoSCreate = "volume_extension:qos_specs_manage:create"
	QoSGet    = "volume_extension:qos_specs_manage:get"
	QoSGetAll = "volume_extension:qos_specs_manage:get_all"
	QoSUpdate = "volume_extension:qos_specs_manage:update"
	QoSDelete = "volume_extension:qos_specs_manage:delete"

	DefaultTypeSet    = "volume_extension:default_set_or_update"
	DefaultTypeGet    = "volume_extension:default_get"
	DefaultTypeGetAll = "volume_extension:default_get_all"
	DefaultTypeUnset  = "volume_extension:default_unset"

	GroupTypeCreate = "group:group_types:create"
	GroupTypeUpdate = "group:group_types:update"
	GroupTypeDelete = "group:group_types:delete"
	// AccessGroupSpecs lets a caller see a group type's specs.
	AccessGroupSpecs = "group:access_group_types_specs"
	GroupSpecsGet    = "group:group_types_specs:get"
	GroupSpecsGetAll = "group:group_types_specs:get_all"
	GroupSpecsCreate = "group:group_types_specs:create"
	GroupSpecsUpdate = "group:group_types_specs:update"
	GroupSpecsDelete = "group:group_types_specs:delete"
)

// typeRules are the rules of volume types, extra specs, type access,
// encryption types, QoS specs, default types and group types: reading
// types is everyone's, managing them the admin's.
func typeRules() map[string]string {
	m := map[string]string{TypeGet: Anyone, TypeGetAll: Anyone, ExtraSpecsIndex: Anyone, ExtraSpecsShow: Anyone,
		AccessExtraSpecs: Anyone}
	for _, r := range []string{TypeCreate, TypeUpdate, TypeDelete, ExtraSpecsCreate, ExtraSpecsUpdate, ExtraSpecsDelete,
		AccessQoSSpecsID, TypeAccessList, TypeAccessAdd, TypeAccessRemove,
		EncryptionCreate, EncryptionGet, EncryptionUpdate, EncryptionDelete,
		QoSCreate, QoSGet, QoSGetAll, QoSUpdate, QoSDelete,
		DefaultTypeSet, DefaultTypeGet, DefaultTypeGetAll, DefaultTypeUnset,
		GroupTypeCreate, GroupTypeUpdate, GroupTypeDelete, AccessGroupSpecs,
		GroupSpecsGet, GroupSpecsGetAll, GroupSpecsCreate, GroupSpecsUpdate, GroupSpecsDelete} {
		m[r] = Admin
	}
	return m
}
