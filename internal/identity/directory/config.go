package directory

import (
	"context"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// domainConfigDefaults are the options a domain-specific configuration
// may set, with the values a domain without one uses (Keystone's
// whitelisted identity and ldap options). The ldap password is accepted
// but never shown by the defaults. It returns a new table on every call,
// since callers hand parts of it to clients.
func domainConfigDefaults() DomainConfig {
	return DomainConfig{
		"identity": {
			"driver":     "sql",
			"list_limit": nil,
		},
		"ldap": {
			"url":                                     "ldap://localhost",
			"user":                                    nil,
			"suffix":                                  "cn=example,cn=com",
			"query_scope":                             "one",
			"page_size":                               0,
			"alias_dereferencing":                     "default",
			"debug_level":                             nil,
			"chase_referrals":                         nil,
			"user_tree_dn":                            nil,
			"user_filter":                             nil,
			"user_objectclass":                        "inetOrgPerson",
			"user_id_attribute":                       "cn",
			"user_name_attribute":                     "sn",
			"user_description_attribute":              "description",
			"user_mail_attribute":                     "mail",
			"user_pass_attribute":                     "userPassword",
			"user_enabled_attribute":                  "enabled",
			"user_enabled_invert":                     false,
			"user_enabled_mask":                       0,
			"user_enabled_default":                    "True",
			"user_attribute_ignore":                   []any{"default_project_id"},
			"user_default_project_id_attribute":       nil,
			"user_enabled_emulation":                  false,
			"user_enabled_emulation_dn":               nil,
			"user_enabled_emulation_use_group_config": false,
			"user_additional_attribute_mapping":       []any{},
			"group_tree_dn":                           nil,
			"group_filter":                            nil,
			"group_objectclass":                       "groupOfNames",
			"group_id_attribute":                      "cn",
			"group_name_attribute":                    "ou",
			"group_member_attribute":                  "member",
			"group_members_are_ids":                   false,
			"group_desc_attribute":                    "description",
			"group_attribute_ignore":                  []any{},
			"group_additional_attribute_mapping":      []any{},
			"tls_cacertfile":                          nil,
			"tls_cacertdir":                           nil,
			"use_tls":                                 false,
			"tls_req_cert":                            "demand",
			"use_pool":                                true,
			"pool_size":                               10,
			"pool_retry_max":                          3,
			"pool_retry_delay":                        0.1,
			"pool_connection_timeout":                 -1,
			"pool_connection_lifetime":                600,
			"use_auth_pool":                           true,
			"auth_pool_size":                          100,
			"auth_pool_connection_lifetime":           60,
		},
	}
}

// sensitiveDomainOption reports the options that may be set but are
// never returned.
func sensitiveDomainOption(group, option string) bool { return group == "ldap" && option == "password" }

func validDomainOption(group, option string) bool {
	if sensitiveDomainOption(group, option) {
		return true
	}
	_, ok := domainConfigDefaults()[group][option]
	return ok
}

func invalidDomainConfig(format string, args ...any) error {
	return apierr.Forbidden("Invalid domain specific configuration: "+format, args...)
}

func checkDomainConfig(cfg DomainConfig) error {
	if len(cfg) == 0 {
		return invalidDomainConfig("the configuration is empty.")
	}
	for g, opts := range cfg {
		if _, ok := domainConfigDefaults()[g]; !ok {
			return invalidDomainConfig("group %s is not supported.", g)
		}
		for o := range opts {
			if !validDomainOption(g, o) {
				return invalidDomainConfig("option %s in group %s is not supported.", o, g)
			}
		}
	}
	return nil
}

// visible drops the sensitive options of a configuration.
func visible(cfg DomainConfig) DomainConfig {
	out := DomainConfig{}
	for g, opts := range cfg {
		for o, v := range opts {
			if sensitiveDomainOption(g, o) {
				continue
			}
			if out[g] == nil {
				out[g] = map[string]any{}
			}
			out[g][o] = v
		}
	}
	return out
}

// DomainConfigDefault returns the default configuration, or one group of
// it, or one option of a group ("" for all).
func (s *Service) DomainConfigDefault(group, option string) (map[string]any, error) {
	if group == "" {
		out := map[string]any{}
		for g, opts := range domainConfigDefaults() {
			out[g] = opts
		}
		return out, nil
	}
	opts, ok := domainConfigDefaults()[group]
	if !ok {
		return nil, invalidDomainConfig("group %s is not supported.", group)
	}
	if option == "" {
		return map[string]any{group: opts}, nil
	}
	v, ok := opts[option]
	if !ok {
		return nil, invalidDomainConfig("option %s in group %s is not supported.", option, group)
	}
	return map[string]any{option: v}, nil
}

// CreateDomainConfig sets a domain's whole configuration. It reports
// whether the domain had none before (201 rather than 200).
func (s *Service) CreateDomainConfig(ctx context.Context, domainID string, cfg DomainConfig) (DomainConfig, bool, error) {
	if _, err := s.GetDomain(ctx, domainID); err != nil {
		return nil, false, err
	}
	if err := checkDomainConfig(cfg); err != nil {
		return nil, false, err
	}
	old, err := s.store.GetDomainConfig(ctx, domainID)
	if err != nil {
		return nil, false, err
	}
	if err := s.store.ReplaceDomainConfig(ctx, domainID, cfg); err != nil {
		return nil, false, err
	}
	got, err := s.store.GetDomainConfig(ctx, domainID)
	return visible(got), len(old) == 0, err
}

// GetDomainConfig returns a domain's configuration, or one group, or one
// option ("" for all).
func (s *Service) GetDomainConfig(ctx context.Context, domainID, group, option string) (map[string]any, error) {
	if _, err := s.GetDomain(ctx, domainID); err != nil {
		return nil, err
	}
	cfg, err := s.store.GetDomainConfig(ctx, domainID)
	if err != nil {
		return nil, err
	}
	cfg = visible(cfg)
	if len(cfg) == 0 {
		return nil, NotFound("domain config", domainID)
	}
	if group == "" {
		out := map[string]any{}
		for g, opts := range cfg {
			out[g] = opts
		}
		return out, nil
	}
	if _, ok := domainConfigDefaults()[group]; !ok {
		return nil, invalidDomainConfig("group %s is not supported.", group)
	}
	opts, ok := cfg[group]
	if !ok {
		return nil, NotFound("domain config group", group)
	}
	if option == "" {
		return map[string]any{group: opts}, nil
	}
	v, ok := opts[option]
	if !ok {
		return nil, NotFound("domain config option", option)
	}
	return map[string]any{option: v}, nil
}

// UpdateDomainConfig updates options of an existing configuration. With
// group set, cfg must hold only that group; with option set too, cfg is
// {group: {option: value}}. It returns the whole configuration.
func (s *Service) UpdateDomainConfig(ctx context.Context, domainID, group, option string, cfg DomainConfig) (map[string]any, error) {
	if _, err := s.GetDomain(ctx, domainID); err != nil {
		return nil, err
	}
	if group != "" {
		for g := range cfg {
			if g != group {
				return nil, apierr.BadRequest("Invalid input: the group %s in the request does not match the group %s in the URL.", Brief(g), Brief(group))
			}
		}
	}
	if option != "" {
		for o := range cfg[group] {
			if o != option {
				return nil, apierr.BadRequest("Invalid input: the option %s in the request does not match the option %s in the URL.", Brief(o), Brief(option))
			}
		}
	}
	if err := checkDomainConfig(cfg); err != nil {
		return nil, err
	}
	cur, err := s.store.GetDomainConfig(ctx, domainID)
	if err != nil {
		return nil, err
	}
	if len(cur) == 0 {
		return nil, NotFound("domain config", domainID)
	}
	if group != "" {
		if _, ok := cur[group]; !ok {
			return nil, NotFound("domain config group", group)
		}
	}
	if option != "" {
		if _, ok := cur[group][option]; !ok {
			return nil, NotFound("domain config option", option)
		}
	}
	if err := s.store.UpdateDomainConfig(ctx, domainID, cfg); err != nil {
		return nil, err
	}
	return s.GetDomainConfig(ctx, domainID, "", "")
}

// DeleteDomainConfig deletes a domain's configuration, a group or an option.
func (s *Service) DeleteDomainConfig(ctx context.Context, domainID, group, option string) error {
	if _, err := s.GetDomain(ctx, domainID); err != nil {
		return err
	}
	cur, err := s.store.GetDomainConfig(ctx, domainID)
	if err != nil {
		return err
	}
	switch {
	case len(cur) == 0:
		return NotFound("domain config", domainID)
	case group != "" && cur[group] == nil:
		return NotFound("domain config group", group)
	case option != "":
		if _, ok := cur[group][option]; !ok {
			return NotFound("domain config option", option)
		}
	}
	return s.store.DeleteDomainConfig(ctx, domainID, group, option)
}
