package assignment

// Role is a global role (DomainID "") or a domain-specific one.
type Role struct {
	ID          string
	Name        string
	DomainID    string
	Description string
	Options     map[string]any
	Extra       map[string]any
}

// Scope is what a token is scoped to: one of a project, a domain or the
// system; all empty is unscoped.
type Scope struct {
	ProjectID string
	DomainID  string
	System    string // "all"
}

// Unscoped reports whether no scope is set.
func (s Scope) Unscoped() bool { return s.ProjectID == "" && s.DomainID == "" && s.System == "" }

// Assignment types, as Keystone names them.
const (
	UserProject  = "UserProject"
	GroupProject = "GroupProject"
	UserDomain   = "UserDomain"
	GroupDomain  = "GroupDomain"
	UserSystem   = "UserSystem"
	GroupSystem  = "GroupSystem"
)

// SystemTarget is the target id of system assignments.
const SystemTarget = "system"

// Assignment is one stored role assignment (a grant).
type Assignment struct {
	Type      string
	ActorID   string
	TargetID  string
	RoleID    string
	Inherited bool
}

// IsGroup reports whether the actor is a group.
func (a Assignment) IsGroup() bool {
	return a.Type == GroupProject || a.Type == GroupDomain || a.Type == GroupSystem
}

// Filter selects stored assignments; empty fields match all.
type Filter struct {
	ActorIDs  []string
	TargetIDs []string
	Types     []string
	RoleID    string
}

// ImpliedRole is one inference rule: holding Prior implies Implied.
type ImpliedRole struct {
	PriorID   string
	ImpliedID string
}

// RoleAssignment is an entry of GET /v3/role_assignments.
type RoleAssignment struct {
	RoleID    string
	UserID    string // one of UserID or GroupID
	GroupID   string
	ProjectID string // one of ProjectID, DomainID, System
	DomainID  string
	System    bool
	// InheritedTo is set ("projects") for inherited assignments listed
	// as stored.
	Inherited bool
	// Source is the stored assignment the entry comes from (for links);
	// ViaGroup and PriorRoleID say how an effective entry was derived.
	Source      Assignment
	ViaGroup    string
	PriorRoleID string
}

// RoleAssignmentQuery is the filter set of GET /v3/role_assignments.
type RoleAssignmentQuery struct {
	UserID, GroupID, RoleID string
	ProjectID, DomainID     string
	System                  bool
	InheritedOnly           bool
	Effective               bool
	IncludeSubtree          bool
}
