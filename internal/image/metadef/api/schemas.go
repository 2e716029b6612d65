package api

// Schemas are the catalog's JSON schemas, by their path under
// /v2/schemas/; the names are Glance's (resource_type is
// "resource_type_association").
func Schemas() map[string]func() map[string]any {
	str := func(desc string) map[string]any {
		return map[string]any{"type": "string", "description": desc}
	}
	simple := func(name string, props map[string]any) func() map[string]any {
		return func() map[string]any {
			return map[string]any{"name": name, "properties": props, "additionalProperties": false}
		}
	}
	ns := map[string]any{
		"namespace": str("The unique namespace text."), "display_name": str("The user friendly name for the namespace."),
		"description": str("Provides a user friendly description of the namespace."),
		"visibility":  map[string]any{"type": "string", "enum": []string{"public", "private"}},
		"protected":   map[string]any{"type": "boolean"}, "owner": str("Owner of the namespace."),
		"created_at": str("Date and time of namespace creation"), "updated_at": str("Date and time of the last namespace modification"),
		"schema": str(""), "self": str(""),
		"resource_type_associations": map[string]any{"type": "array"}, "properties": map[string]any{"type": "object"},
		"objects": map[string]any{"type": "array"}, "tags": map[string]any{"type": "array"},
	}
	rt := map[string]any{"name": str("Resource type names should be aligned with Heat resource types whenever possible"),
		"prefix": str("Specifies the prefix to use for the given resource type."), "properties_target": str(""),
		"created_at": str(""), "updated_at": str("")}
	obj := map[string]any{"name": str(""), "description": str(""), "required": map[string]any{"type": "array"},
		"properties": map[string]any{"type": "object"}, "schema": str(""), "self": str(""), "created_at": str(""), "updated_at": str("")}
	prop := map[string]any{"name": str(""), "title": str(""), "description": str(""), "type": str(""),
		"enum": map[string]any{"type": "array"}, "default": map[string]any{}, "readonly": map[string]any{"type": "boolean"},
		"operators": map[string]any{"type": "array"}, "minimum": map[string]any{"type": "number"}, "maximum": map[string]any{"type": "number"},
		"minLength": map[string]any{"type": "integer"}, "maxLength": map[string]any{"type": "integer"}, "pattern": str(""),
		"items": map[string]any{"type": "object"}, "minItems": map[string]any{"type": "integer"}, "maxItems": map[string]any{"type": "integer"},
		"uniqueItems": map[string]any{"type": "boolean"}, "additionalItems": map[string]any{"type": "boolean"}}
	tag := map[string]any{"name": str(""), "created_at": str(""), "updated_at": str("")}
	wrap := func(plural, key string, item map[string]any) func() map[string]any {
		return func() map[string]any {
			return map[string]any{"name": plural, "properties": map[string]any{
				key: map[string]any{"type": "array", "items": item}, "first": str(""), "next": str(""), "schema": str("")}}
		}
	}
	return map[string]func() map[string]any{
		"metadefs/namespace":      simple("namespace", ns),
		"metadefs/namespaces":     wrap("namespaces", "namespaces", ns),
		"metadefs/resource_type":  simple("resource_type_association", rt),
		"metadefs/resource_types": wrap("resource_type_associations", "resource_type_associations", rt),
		"metadefs/object":         simple("object", obj),
		"metadefs/objects":        wrap("objects", "objects", obj),
		"metadefs/property":       simple("property", prop),
		"metadefs/properties":     wrap("properties", "properties", prop),
		"metadefs/tag":            simple("tag", tag),
		"metadefs/tags":           wrap("tags", "tags", tag),
	}
}
