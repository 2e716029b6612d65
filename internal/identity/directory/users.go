package directory

import (
	"context"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/match"
)

// userOptions are the resource options of users, with their types.
func userOptions() map[string]string {
	return map[string]string{
		"ignore_change_password_upon_first_use": "bool",
		"ignore_password_expiry":                "bool",
		"ignore_lockout_failure_attempts":       "bool",
		"lock_password":                         "bool",
		"ignore_user_inactivity":                "bool",
		"multi_factor_auth_rules":               "list",
		"multi_factor_auth_enabled":             "bool",
	}
}

func checkMFARules(opts map[string]any) error {
	rules, ok := opts["multi_factor_auth_rules"].([]any)
	if !ok {
		return nil
	}
	for _, r := range rules {
		list, ok := r.([]any)
		if !ok {
			return apierr.BadRequest("Invalid input for field 'options/multi_factor_auth_rules': each rule must be a list of method names.")
		}
		for _, m := range list {
			if s, ok := m.(string); !ok || s == "" {
				return apierr.BadRequest("Invalid input for field 'options/multi_factor_auth_rules': method names must be strings.")
			}
		}
	}
	return nil
}

// UserPatch is an update of a user; nil fields are kept.
type UserPatch struct {
	Name             *string
	Description      *string
	Enabled          *bool
	DefaultProjectID *string
	DomainID         *string
	Password         *string
	Options          map[string]any
	Extra            map[string]any
}

func (s *Service) checkDefaultProject(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	p, err := s.store.GetProject(ctx, id)
	if err != nil {
		if apierr.IsNotFound(err) {
			return nil // Keystone does not require it to exist
		}
		return err
	}
	if p.IsDomain {
		return apierr.BadRequest("Unable to set a default project: %s is a domain.", Brief(id))
	}
	return nil
}

// CreateUser creates a user, hashing password when given.
func (s *Service) CreateUser(ctx context.Context, u *User, password *string) (*User, error) {
	if err := CheckName("user", u.Name, 255); err != nil {
		return nil, err
	}
	if err := checkOptions(u.Options, userOptions()); err != nil {
		return nil, err
	}
	if err := checkMFARules(u.Options); err != nil {
		return nil, err
	}
	if u.DomainID == "" {
		u.DomainID = DefaultDomainID
	}
	if _, err := s.GetDomain(ctx, u.DomainID); err != nil {
		return nil, err
	}
	if err := s.checkDefaultProject(ctx, u.DefaultProjectID); err != nil {
		return nil, err
	}
	if u.ID == "" {
		u.ID = NewID()
	}
	u.Options = mergeOptions(nil, u.Options)
	if password != nil {
		hash, err := s.hashPassword(*password)
		if err != nil {
			return nil, err
		}
		now := db.Now()
		u.PasswordHash, u.PasswordCreatedAt = hash, &now
		u.PasswordExpiresAt = s.passwordExpiry(u, now)
		if s.changeRequired(u) {
			u.PasswordExpiresAt = &now
		}
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return s.store.GetUser(ctx, u.ID)
}

// UpdateUser updates a user. A password set here is an admin reset: the
// history is not enforced. Disabling a user or changing its password
// revokes its tokens.
func (s *Service) UpdateUser(ctx context.Context, id string, p UserPatch) (*User, error) {
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.DomainID != nil && *p.DomainID != u.DomainID {
		return nil, apierr.BadRequest("Update of `domain_id` is not allowed.")
	}
	if err := checkOptions(p.Options, userOptions()); err != nil {
		return nil, err
	}
	if err := checkMFARules(p.Options); err != nil {
		return nil, err
	}
	var revoke *RevokeEvent
	if p.Name != nil {
		if err := CheckName("user", *p.Name, 255); err != nil {
			return nil, err
		}
		u.Name = *p.Name
	}
	if p.Description != nil {
		u.Description = *p.Description
	}
	if p.DefaultProjectID != nil {
		if err := s.checkDefaultProject(ctx, *p.DefaultProjectID); err != nil {
			return nil, err
		}
		u.DefaultProjectID = *p.DefaultProjectID
	}
	if p.Enabled != nil {
		if u.Enabled && !*p.Enabled {
			revoke = &RevokeEvent{UserID: u.ID}
		}
		u.Enabled = *p.Enabled
	}
	u.Options = mergeOptions(u.Options, p.Options)
	u.Extra = MergeExtra(u.Extra, p.Extra)
	if p.Password != nil {
		if err := s.setPassword(ctx, u, *p.Password, true); err != nil {
			return nil, err
		}
	} else if err := s.changed(s.store.UpdateUser(ctx, u, "", revoke)); err != nil {
		return nil, err
	}
	return s.store.GetUser(ctx, id)
}

// DeleteUser deletes a user with its assignments, memberships and
// credentials.
func (s *Service) DeleteUser(ctx context.Context, id string) error {
	return s.changed(s.store.DeleteUser(ctx, id))
}

// UserFilter selects users beyond what the store filters: name
// operators (name__contains...) and password_expires_at comparisons.
type UserFilter struct {
	UserQuery
	NameOps           []StringOp
	PasswordExpiresAt []TimeOp
}

// StringOp is a Keystone string filter: Op is one of contains,
// icontains, startswith, istartswith, endswith, iendswith, equals, iequals.
type StringOp struct{ Op, Value string }

// Match applies the filter to s.
func (o StringOp) Match(s string) bool {
	v := o.Value
	if strings.HasPrefix(o.Op, "i") {
		s, v = strings.ToLower(s), strings.ToLower(v)
	}
	switch strings.TrimPrefix(o.Op, "i") {
	case "contains":
		return strings.Contains(s, v)
	case "startswith":
		return strings.HasPrefix(s, v)
	case "endswith":
		return strings.HasSuffix(s, v)
	case "equals":
		return s == v
	}
	return false
}

// TimeOp is a timestamp filter: Op is lt, lte, gt, gte, eq or neq.
type TimeOp = match.Time

// expiryHolds applies o to a password's expiry (nil: never expires,
// which only neq matches).
func expiryHolds(o TimeOp, t *time.Time) bool {
	if t == nil {
		return o.Op == "neq"
	}
	return o.Holds(*t)
}

// ListUsers lists users by filter.
func (s *Service) ListUsers(ctx context.Context, f UserFilter) ([]*User, error) {
	all, err := s.store.ListUsers(ctx, f.UserQuery)
	if err != nil {
		return nil, err
	}
	out := all[:0]
next:
	for _, u := range all {
		for _, op := range f.NameOps {
			if !op.Match(u.Name) {
				continue next
			}
		}
		for _, op := range f.PasswordExpiresAt {
			if !expiryHolds(op, u.PasswordExpiresAt) {
				continue next
			}
		}
		out = append(out, u)
	}
	return out, nil
}

// ListUserGroups lists the groups of a user.
func (s *Service) ListUserGroups(ctx context.Context, userID string) ([]*Group, error) {
	if _, err := s.store.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	return s.store.ListUserGroups(ctx, userID)
}

// GroupPatch is an update of a group.
type GroupPatch struct {
	Name        *string
	Description *string
	DomainID    *string
	Extra       map[string]any
}

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, g *Group) (*Group, error) {
	if err := CheckName("group", g.Name, 64); err != nil {
		return nil, err
	}
	if g.DomainID == "" {
		g.DomainID = DefaultDomainID
	}
	if _, err := s.GetDomain(ctx, g.DomainID); err != nil {
		return nil, err
	}
	if g.ID == "" {
		g.ID = NewID()
	}
	if err := s.store.CreateGroup(ctx, g); err != nil {
		return nil, err
	}
	return s.store.GetGroup(ctx, g.ID)
}

// GetGroup returns a group.
func (s *Service) GetGroup(ctx context.Context, id string) (*Group, error) {
	return s.store.GetGroup(ctx, id)
}

// UpdateGroup updates a group.
func (s *Service) UpdateGroup(ctx context.Context, id string, p GroupPatch) (*Group, error) {
	g, err := s.store.GetGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.DomainID != nil && *p.DomainID != g.DomainID {
		return nil, apierr.BadRequest("Update of `domain_id` is not allowed.")
	}
	if p.Name != nil {
		if err := CheckName("group", *p.Name, 64); err != nil {
			return nil, err
		}
		g.Name = *p.Name
	}
	if p.Description != nil {
		g.Description = *p.Description
	}
	g.Extra = MergeExtra(g.Extra, p.Extra)
	if err := s.store.UpdateGroup(ctx, g); err != nil {
		return nil, err
	}
	return s.store.GetGroup(ctx, id)
}

// DeleteGroup deletes a group.
func (s *Service) DeleteGroup(ctx context.Context, id string) error {
	return s.changed(s.store.DeleteGroup(ctx, id))
}

// ListGroups lists groups by domain and name operators.
func (s *Service) ListGroups(ctx context.Context, domainID, name string, ops []StringOp) ([]*Group, error) {
	gs, err := s.store.ListGroups(ctx, domainID, name)
	if err != nil {
		return nil, err
	}
	out := gs[:0]
next:
	for _, g := range gs {
		for _, op := range ops {
			if !op.Match(g.Name) {
				continue next
			}
		}
		out = append(out, g)
	}
	return out, nil
}

func (s *Service) groupAndUser(ctx context.Context, groupID, userID string) error {
	if _, err := s.store.GetGroup(ctx, groupID); err != nil {
		return err
	}
	_, err := s.store.GetUser(ctx, userID)
	return err
}

// AddGroupMember adds a user to a group.
func (s *Service) AddGroupMember(ctx context.Context, groupID, userID string) error {
	if err := s.groupAndUser(ctx, groupID, userID); err != nil {
		return err
	}
	return s.changed(s.store.AddGroupMember(ctx, groupID, userID))
}

// RemoveGroupMember removes a user from a group.
func (s *Service) RemoveGroupMember(ctx context.Context, groupID, userID string) error {
	if err := s.groupAndUser(ctx, groupID, userID); err != nil {
		return err
	}
	return s.changed(s.store.RemoveGroupMember(ctx, groupID, userID))
}

// CheckGroupMember answers not found unless the user is in the group.
func (s *Service) CheckGroupMember(ctx context.Context, groupID, userID string) error {
	if err := s.groupAndUser(ctx, groupID, userID); err != nil {
		return err
	}
	ok, err := s.store.IsGroupMember(ctx, groupID, userID)
	if err != nil {
		return err
	}
	if !ok {
		return NotFound("user in group", userID)
	}
	return nil
}

// ListGroupUsers lists a group's members, with user filters.
func (s *Service) ListGroupUsers(ctx context.Context, groupID string, f UserFilter) ([]*User, error) {
	if _, err := s.store.GetGroup(ctx, groupID); err != nil {
		return nil, err
	}
	f.GroupID = groupID
	return s.ListUsers(ctx, f)
}
