package secgroups

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// RuleCreate is one rule of a create request. Protocol is as the
// request spelled it (a JSON number already turned into its digits).
type RuleCreate struct {
	ProjectID      string
	GroupID        string
	Direction      string
	Ethertype      *string
	Protocol       *string
	PortMin        *int64
	PortMax        *int64
	RemoteIPPrefix *string
	RemoteGroupID  *string
	Description    string
}

// protocolNames is the list Neutron's error message shows.
const protocolNames = "[None, 'ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', 'icmp', 'igmp', 'ipip', " +
	"'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', 'ospf', " +
	"'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp']"

// takesPorts reports whether rules of protocol n take a port range
// (TCP, UDP, DCCP, SCTP, UDP-Lite); the ICMP ones take a type and code
// in the same fields instead.
func takesPorts(n int) bool {
	switch n {
	case 6, 17, 33, 132, 136:
		return true
	}
	return false
}

// ipv6Only reports whether protocol n is one an IPv4 rule cannot have.
func ipv6Only(n int) bool {
	switch n {
	case 41, 43, 44, 58, 59, 60:
		return true
	}
	return false
}

// normalizeProtocol is Neutron's convert_protocol: "any" is no protocol,
// a number 0-255 stays a number (as text), a known name is lower-cased.
func normalizeProtocol(p *string) (*string, error) {
	if p == nil || *p == "any" {
		return nil, nil
	}
	v := strings.TrimSpace(*p)
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 || n > 255 {
			return nil, invalidProtocol(*p)
		}
		s := strconv.Itoa(n)
		return &s, nil
	}
	if network.KnownProtocol(strings.ToLower(v)) {
		s := strings.ToLower(v)
		return &s, nil
	}
	return nil, invalidProtocol(*p)
}

func invalidProtocol(p string) error {
	return apierr.BadRequest("Security group rule protocol %s not supported. Only protocol values %s and integer "+
		"representations [0 to 255] are supported.", p, protocolNames).WithType("SecurityGroupRuleInvalidProtocol")
}

// InvalidPort is Neutron's SecurityGroupInvalidPortValue: a port that
// is not a number, or not one of 0-65535.
func InvalidPort(port any) error {
	return apierr.BadRequest("Invalid value for port %v", port).WithType("SecurityGroupInvalidPortValue")
}

// NewRule validates a create request as Neutron does, in its order, and
// returns the rule (without its group's default flag): every check
// that needs no database.
func NewRule(c RuleCreate) (*network.Rule, error) {
	if c.Direction != network.Ingress && c.Direction != network.Egress {
		return nil, network.BadRequest("Invalid input for direction. Reason: '%s' is not in ['ingress', 'egress'].", c.Direction)
	}
	eth := network.IPv4
	if c.Ethertype != nil {
		switch strings.ToLower(*c.Ethertype) {
		case "ipv4":
			eth = network.IPv4
		case "ipv6":
			eth = network.IPv6
		default:
			return nil, network.BadRequest("Invalid input for ethertype. Reason: '%s' is not in ['IPv4', 'IPv6'].", *c.Ethertype)
		}
	}
	proto, err := normalizeProtocol(c.Protocol)
	if err != nil {
		return nil, err
	}
	for _, p := range []*int64{c.PortMin, c.PortMax} {
		if p != nil && (*p < 0 || *p > 65535) {
			return nil, InvalidPort(*p)
		}
	}
	var prefix *string
	if c.RemoteIPPrefix != nil && *c.RemoteIPPrefix != "" {
		pf, err := parsePrefix(*c.RemoteIPPrefix)
		if err != nil {
			return nil, err
		}
		s := pf.String()
		prefix = &s
	}
	remote := c.RemoteGroupID
	if remote != nil && *remote == "" {
		remote = nil
	}
	if err := checkLen("description", c.Description); err != nil {
		return nil, err
	}
	now := db.Now()
	r := &network.Rule{
		Std:       network.Std{ID: uuid.NewString(), ProjectID: c.ProjectID, Description: c.Description, CreatedAt: now, UpdatedAt: now},
		GroupID:   c.GroupID,
		Direction: c.Direction, Ethertype: eth, Protocol: proto,
		PortMin: c.PortMin, PortMax: c.PortMax, RemoteIPPrefix: prefix, RemoteGroupID: remote,
	}
	if err := checkPorts(r); err != nil {
		return nil, err
	}
	if prefix != nil {
		pf := netip.MustParsePrefix(*prefix)
		if (eth == network.IPv4) != pf.Addr().Is4() {
			return nil, apierr.BadRequest("Conflicting value ethertype %s for CIDR %s", eth, *c.RemoteIPPrefix).
				WithType("SecurityGroupRuleParameterConflict")
		}
	}
	if n, ok := network.ProtocolNumber(proto); ok && ipv6Only(n) && eth == network.IPv4 {
		return nil, apierr.BadRequest("Invalid ethertype %s for protocol %s.", eth, *proto).
			WithType("SecurityGroupEthertypeConflictWithProtocol")
	}
	if prefix != nil && remote != nil {
		return nil, apierr.BadRequest("Only remote_ip_prefix or remote_group_id may be provided.").
			WithType("SecurityGroupRemoteGroupAndRemoteIpPrefix")
	}
	return r, nil
}

// parsePrefix is Neutron's convert_ip_prefix_to_cidr: an address or a
// CIDR as netaddr renders it — host bits kept (10.2.3.124/24 stays so,
// as Nova's security group proxy shows it back), an address alone its
// /32 or /128.
func parsePrefix(s string) (netip.Prefix, error) {
	bad := apierr.BadRequest("Invalid CIDR %s given as IP prefix.", s).WithType("InvalidCIDR")
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, bad
		}
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, bad
	}
	return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()), nil
}

// checkPorts is Neutron's _validate_port_range: a range needs a
// protocol; TCP-like protocols need 1 <= min <= max; ICMP ones take a
// type (min) and code (max) of 0-255, a code only with a type; other
// protocols take no ports.
func checkPorts(r *network.Rule) error {
	if r.PortMin == nil && r.PortMax == nil {
		return nil
	}
	if r.Protocol == nil {
		return apierr.BadRequest("Must also specify protocol if port range is given.").WithType("SecurityGroupProtocolRequiredWithPorts")
	}
	n, _ := network.ProtocolNumber(r.Protocol)
	switch {
	case takesPorts(n):
		if r.PortMin != nil && *r.PortMin == 0 || r.PortMax != nil && *r.PortMax == 0 {
			return InvalidPort(0)
		}
		if r.PortMin != nil && r.PortMax != nil && *r.PortMin <= *r.PortMax {
			return nil
		}
		return apierr.BadRequest("For TCP/UDP protocols, port_range_min must be <= port_range_max").WithType("SecurityGroupInvalidPortRange")
	case n == 1 || n == 58:
		for _, f := range []struct {
			v           *int64
			field, attr string
		}{{r.PortMin, "type", "port_range_min"}, {r.PortMax, "code", "port_range_max"}} {
			if f.v != nil && (*f.v < 0 || *f.v > 255) {
				return apierr.BadRequest("Invalid value for ICMP %s (%s) %d. It must be 0 to 255.", f.field, f.attr, *f.v).
					WithType("SecurityGroupInvalidIcmpValue")
			}
		}
		if r.PortMin == nil {
			return apierr.BadRequest("ICMP code (port-range-max) %d is provided but ICMP type (port-range-min) is missing.", *r.PortMax).
				WithType("SecurityGroupMissingIcmpType")
		}
		return nil
	}
	return apierr.BadRequest("Invalid protocol %d for port range, only supported for DCCP, SCTP, TCP, UDP, UDPLITE protocols.", n).
		WithType("SecurityGroupInvalidProtocolForPort")
}

func ruleExists(id string) error {
	return network.Conflict("SecurityGroupRuleExists", "Security group rule already exists. Rule id is %s.", id)
}

// CreateRules creates rules, one or a bulk request's, in one
// transaction: all of one group, each valid, none a repeat of another or
// of a rule the group has (409 SecurityGroupRuleExists naming it).
func (s *Service) CreateRules(ctx context.Context, sc network.Scope, cs []RuleCreate) ([]*network.Rule, error) {
	if len(cs) == 0 {
		return nil, network.BadRequest("Resources required")
	}
	rules := make([]*network.Rule, len(cs))
	seen := map[string]bool{}
	for i, c := range cs {
		if c.GroupID != cs[0].GroupID {
			return nil, apierr.BadRequest("Only allowed to update rules for one security profile at a time").
				WithType("SecurityGroupNotSingleGroupRules")
		}
		r, err := NewRule(c)
		if err != nil {
			return nil, err
		}
		if seen[r.Key()] {
			return nil, network.Conflict("DuplicateSecurityGroupRuleInPost", "Duplicate Security Group Rule in POST.")
		}
		seen[r.Key()] = true
		rules[i] = r
	}
	limits := map[string]int64{}
	for _, r := range rules {
		if _, ok := limits[r.ProjectID]; ok {
			continue
		}
		lim, err := s.net.Limit(ctx, r.ProjectID, "security_group_rule")
		if err != nil {
			return nil, err
		}
		limits[r.ProjectID] = lim
	}
	var dup *network.Rule
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		dup = nil
		g, err := visibleGroup(ctx, tx, sc, cs[0].GroupID)
		if err != nil {
			return err
		}
		for _, r := range rules {
			if r.RemoteGroupID != nil && *r.RemoteGroupID != g.ID {
				if _, err := visibleGroup(ctx, tx, sc, *r.RemoteGroupID); err != nil {
					return err
				}
			}
			r.InDefault = g.Default
		}
		for _, have := range g.Rules {
			if seen[have.Key()] {
				return ruleExists(have.ID)
			}
		}
		count := map[string]int64{}
		for _, r := range rules {
			count[r.ProjectID]++
		}
		for p, n := range count {
			if err := s.net.CheckQuota(ctx, tx, p, "security_group_rule", n, limits[p]); err != nil {
				return err
			}
		}
		for _, r := range rules {
			if err := tx.InsertRule(ctx, r); err != nil {
				if errors.Is(err, apierr.ErrDuplicate) {
					dup = r
				}
				return err
			}
		}
		return nil
	})
	if dup != nil {
		// A concurrent request added the same rule between our check and
		// our insert; its transaction has committed, so it can be named.
		return nil, s.existingRule(ctx, dup)
	}
	if err != nil {
		return nil, err
	}
	return rules, nil
}

// existingRule is the SecurityGroupRuleExists error for the rule of r's
// group that r repeats.
func (s *Service) existingRule(ctx context.Context, r *network.Rule) error {
	var id string
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		id, err = tx.RuleByKey(ctx, r.GroupID, r.Key())
		return err
	})
	if err != nil {
		return fmt.Errorf("security group rule %s: %w", r.Key(), err)
	}
	return ruleExists(id)
}

// visibleRule reads a rule the scope may see: its own, or one of a
// group of its project.
func visibleRule(ctx context.Context, tx network.Tx, sc network.Scope, id string) (*network.Rule, error) {
	r, err := tx.GetRule(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, RuleNotFound(id)
	}
	if err != nil || sc.Sees(r.ProjectID) {
		return r, err
	}
	g, err := tx.GetSecurityGroup(ctx, r.GroupID)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(g.ProjectID)) {
		return nil, RuleNotFound(id)
	}
	return r, err
}

// GetRule returns a rule the scope sees.
func (s *Service) GetRule(ctx context.Context, sc network.Scope, id string) (*network.Rule, error) {
	var r *network.Rule
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		r, err = visibleRule(ctx, tx, sc, id)
		return err
	})
	return r, err
}

// ListRules lists the rules the scope sees, narrowed by f.
func (s *Service) ListRules(ctx context.Context, f network.Filter) ([]*network.Rule, error) {
	var rs []*network.Rule
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		rs, err = tx.ListRules(ctx, f)
		return err
	})
	return rs, err
}

// DeleteRule deletes a rule the scope sees.
func (s *Service) DeleteRule(ctx context.Context, sc network.Scope, id string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if _, err := visibleRule(ctx, tx, sc, id); err != nil {
			return err
		}
		return tx.DeleteRule(ctx, id)
	})
}
