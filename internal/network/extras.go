package network

import (
	"context"
	"time"
)

// ExtrasTx is the part of a transaction of the smaller extensions, whose
// use cases are package network/extras: agents, metering labels and
// rules, RBAC policies and the list of projects with quotas of their own.
// The rows they keep are declared below.
type ExtrasTx interface {
	// UpsertAgent records an agent's report: a new (type, host) pair is
	// inserted as a is; a known one keeps its id, creation time, admin
	// state and description, and its start time unless start is set, and
	// takes the rest. It returns the agent as stored.
	UpsertAgent(ctx context.Context, a *Agent, start bool) (*Agent, error)
	// GetAgent returns apierr.ErrNotFound for a missing id.
	GetAgent(ctx context.Context, id string) (*Agent, error)
	ListAgents(ctx context.Context) ([]*Agent, error)
	// UpdateAgent writes the operator's attributes: admin state and
	// description.
	UpdateAgent(ctx context.Context, a *Agent) error
	DeleteAgent(ctx context.Context, id string) error

	// BindDHCP makes a DHCP agent host a network (apierr.ErrDuplicate
	// when it does); UnbindDHCP undoes it (apierr.ErrNotFound when it
	// does not). DHCPBindings lists the bindings, all or those of one
	// network or agent (the other argument empty).
	BindDHCP(ctx context.Context, networkID, agentID string) error
	UnbindDHCP(ctx context.Context, networkID, agentID string) error
	DHCPBindings(ctx context.Context, networkID, agentID string) ([]DHCPBinding, error)
	// UnhostedDHCPNetworks lists the networks that have a DHCP-enabled
	// subnet and no DHCP agent.
	UnhostedDHCPNetworks(ctx context.Context) ([]string, error)

	InsertMeteringLabel(ctx context.Context, l *MeteringLabel) error
	// GetMeteringLabel returns apierr.ErrNotFound for a missing id.
	GetMeteringLabel(ctx context.Context, id string) (*MeteringLabel, error)
	ListMeteringLabels(ctx context.Context, f Filter) ([]*MeteringLabel, error)
	// DeleteMeteringLabel deletes a label with its rules.
	DeleteMeteringLabel(ctx context.Context, id string) error
	InsertMeteringRule(ctx context.Context, r *MeteringRule) error
	// GetMeteringRule returns apierr.ErrNotFound for a missing id.
	GetMeteringRule(ctx context.Context, id string) (*MeteringRule, error)
	// ListMeteringRules lists the rules, of the labels in f's
	// "metering_label_id" filter when it has one.
	ListMeteringRules(ctx context.Context, f Filter) ([]*MeteringRule, error)
	DeleteMeteringRule(ctx context.Context, id string) error

	// InsertRBAC returns apierr.ErrDuplicate when a policy with the same
	// object, action and target exists.
	InsertRBAC(ctx context.Context, p *RBACPolicy) error
	// GetRBAC returns apierr.ErrNotFound for a missing id.
	GetRBAC(ctx context.Context, id string) (*RBACPolicy, error)
	// ListRBAC lists the policies f's scope sees: its project's and, for
	// a non-admin, those that target it.
	ListRBAC(ctx context.Context, f Filter) ([]*RBACPolicy, error)
	// UpdateRBAC writes a policy's target (apierr.ErrDuplicate when
	// another policy has it).
	UpdateRBAC(ctx context.Context, p *RBACPolicy) error
	DeleteRBAC(ctx context.Context, id string) error
	// DeleteRBACFor deletes the policies of an object being deleted.
	DeleteRBACFor(ctx context.Context, objectType, objectID string) error
	// RBACActions returns the actions the policies on an object grant to
	// project, directly or through the "*" wildcard.
	RBACActions(ctx context.Context, objectType, objectID, project string) ([]string, error)

	// QuotaProjects lists the projects with quotas of their own.
	QuotaProjects(ctx context.Context) ([]string, error)
}

// AgentDownTime is Neutron's agent_down_time: an agent whose last report
// is older is shown dead (alive false).
const AgentDownTime = 75 * time.Second

// Agent types Neutron's agents report, the ones availability zones come
// from.
const (
	AgentDHCP = "DHCP agent"
	AgentL3   = "L3 agent"
)

// Agent is a data-plane agent as it registered and last reported.
type Agent struct {
	ID           string
	Type         string
	Binary       string
	Topic        string
	Host         string
	AdminStateUp bool
	// AZ is the availability zone of a DHCP or L3 agent (nil for others).
	AZ            *string
	Description   string
	Configuration map[string]any
	CreatedAt     time.Time
	StartedAt     time.Time
	HeartbeatAt   time.Time
}

// Alive reports whether the agent reported within AgentDownTime of now.
func (a *Agent) Alive(now time.Time) bool { return now.Sub(a.HeartbeatAt) <= AgentDownTime }

// DHCPBinding is a network hosted by a DHCP agent (dhcp_agent_scheduler).
type DHCPBinding struct{ NetworkID, AgentID string }

// MeteringLabel is a metering label: a named set of rules counting the
// traffic of a project's routers (or of every project's, when shared).
type MeteringLabel struct {
	Std
	Shared bool
}

// MeteringRule is a rule of a label: traffic in one direction to or from
// a prefix, counted or (excluded) left out.
type MeteringRule struct {
	ID        string
	LabelID   string
	Direction string
	// RemoteIP is the deprecated remote_ip_prefix; Source and Dest are
	// source_ip_prefix and destination_ip_prefix. A rule has the first
	// or some of the other two.
	RemoteIP *string
	Source   *string
	Dest     *string
	Excluded bool
}

// RBAC actions on networks.
const (
	AccessShared   = "access_as_shared"
	AccessExternal = "access_as_external"
)

// RBACPolicy grants a project (or "*", every project) an action on an
// object: a network shared with it, or usable as an external network.
type RBACPolicy struct {
	ID         string
	ProjectID  string
	ObjectType string
	ObjectID   string
	Action     string
	Target     string
}
