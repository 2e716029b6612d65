package network

import (
	"context"
	"strconv"
	"strings"
)

// SecurityGroup is a Neutron security group with its rules. Its use
// cases, the default group and the ports' binding to groups are in
// package secgroups.
type SecurityGroup struct {
	Std
	Stateful bool
	// Default marks the project's default group, made for it the first
	// time it lists its groups or creates a port.
	Default bool
	Rules   []*Rule
}

// Rule directions and ethertypes.
const (
	Ingress = "ingress"
	Egress  = "egress"
	IPv4    = "IPv4"
	IPv6    = "IPv6"
)

// Rule is a security group rule. Its Std has no name or tags (Neutron's
// rules have neither).
type Rule struct {
	Std
	GroupID   string
	Direction string
	Ethertype string
	// Protocol is a name Neutron knows or a number "0"-"255"; nil is any.
	Protocol       *string
	PortMin        *int64
	PortMax        *int64
	RemoteIPPrefix *string
	RemoteGroupID  *string
	// InDefault is belongs_to_default_sg: the rule's group is its
	// project's default group (read only).
	InDefault bool
}

// SecurityGroupTx is the security groups' part of a transaction.
type SecurityGroupTx interface {
	// SetPortGroups replaces the security groups bound to a port.
	SetPortGroups(ctx context.Context, port string, groups []string) error
	// InsertSecurityGroup writes g without its rules. For a default group
	// it reports false, writing nothing, when the project already has one.
	InsertSecurityGroup(ctx context.Context, g *SecurityGroup) (bool, error)
	// GetSecurityGroup returns a group with its rules, or
	// apierr.ErrNotFound.
	GetSecurityGroup(ctx context.Context, id string) (*SecurityGroup, error)
	// DefaultSecurityGroup returns the id of a project's default group,
	// or apierr.ErrNotFound.
	DefaultSecurityGroup(ctx context.Context, project string) (string, error)
	// ListSecurityGroups lists the groups of f's scope with their rules.
	ListSecurityGroups(ctx context.Context, f Filter) ([]*SecurityGroup, error)
	// UpdateSecurityGroup writes g's name, description, stateful flag,
	// revision and updated_at.
	UpdateSecurityGroup(ctx context.Context, g *SecurityGroup) error
	// DeleteSecurityGroup deletes a group, its rules and the rules of
	// other groups that name it as their remote group.
	DeleteSecurityGroup(ctx context.Context, id string) error
	// CountGroupPorts counts the ports bound to a group.
	CountGroupPorts(ctx context.Context, id string) (int64, error)
	// GroupsOf returns the groups among ids that exist, with their
	// owners, by id.
	GroupsOf(ctx context.Context, ids []string) (map[string]string, error)

	// InsertRule writes r; apierr.ErrDuplicate when its group has the
	// same rule (Key) already.
	InsertRule(ctx context.Context, r *Rule) error
	// GetRule returns a rule or apierr.ErrNotFound.
	GetRule(ctx context.Context, id string) (*Rule, error)
	// ListRules lists the rules of f's scope: its project's, and those of
	// its project's groups.
	ListRules(ctx context.Context, f Filter) ([]*Rule, error)
	DeleteRule(ctx context.Context, id string) error
	// RuleByKey returns the id of a group's rule with key, or
	// apierr.ErrNotFound.
	RuleByKey(ctx context.Context, group, key string) (string, error)
}

// protocols are the IP protocol names Neutron's rules accept, with their
// numbers (neutron-lib's IP_PROTOCOL_MAP).
var protocols = map[string]int{
	"ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "hopopt": 0, "icmp": 1, "igmp": 2,
	"ipip": 4, "ipv6-encap": 41, "ipv6-frag": 44, "ipv6-icmp": 58, "icmpv6": 58, "ipv6-nonxt": 59,
	"ipv6-opts": 60, "ipv6-route": 43, "ospf": 89, "pgm": 113, "rsvp": 46, "sctp": 132, "tcp": 6,
	"udp": 17, "udplite": 136, "vrrp": 112,
}

// KnownProtocol reports whether name is a protocol name Neutron's rules
// accept.
func KnownProtocol(name string) bool {
	_, ok := protocols[name]
	return ok
}

// ProtocolNumber is the number of a rule's protocol, a name or a number;
// false for none.
func ProtocolNumber(p *string) (int, bool) {
	if p == nil {
		return -1, false
	}
	if n, ok := protocols[*p]; ok {
		return n, true
	}
	n, err := strconv.Atoi(*p)
	return n, err == nil
}

// Key is what makes two rules of a group the same rule (Neutron's
// _rule_to_key): a protocol by name or number, the ICMPv6 aliases, and
// no prefix or the whole address space, all compare equal.
func (r *Rule) Key() string {
	str := func(s *string) string {
		if s == nil {
			return "+"
		}
		return *s
	}
	num := func(n *int64) string {
		if n == nil {
			return "+"
		}
		return strconv.FormatInt(*n, 10)
	}
	proto := "+"
	if n, ok := ProtocolNumber(r.Protocol); ok {
		if n == 1 && r.Ethertype == IPv6 {
			n = 58 // Neutron takes "icmp" in an IPv6 rule for ICMPv6.
		}
		proto = strconv.Itoa(n)
	}
	prefix := str(r.RemoteIPPrefix)
	if prefix == "0.0.0.0/0" || prefix == "::/0" {
		prefix = "+"
	}
	return strings.Join([]string{r.Direction, r.Ethertype, num(r.PortMax), num(r.PortMin), proto,
		str(r.RemoteGroupID), prefix}, "_")
}
