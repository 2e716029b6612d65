package extras

import (
	"context"
	"errors"
	"net/netip"
	"strings"

	"github.com/gostack/gostack/internal/network"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// MeteringLabelCreate is a label create request.
type MeteringLabelCreate struct {
	ProjectID   string
	Name        string
	Description string
	Shared      bool
}

// MeteringRuleCreate is a rule create request.
type MeteringRuleCreate struct {
	LabelID   string
	Direction string
	RemoteIP  *string
	Source    *string
	Dest      *string
	Excluded  bool
}

// MeteringLabelNotFound is Neutron's 404 for a label.
func MeteringLabelNotFound(id string) *apierr.Error {
	return apierr.NotFound("Metering label %s does not exist.", id).WithType("MeteringLabelNotFound")
}

// CreateMeteringLabel creates a label.
func (s *Service) CreateMeteringLabel(ctx context.Context, c MeteringLabelCreate) (*network.MeteringLabel, error) {
	now := db.Now()
	l := &network.MeteringLabel{Std: network.Std{ID: uuid.NewString(), ProjectID: c.ProjectID, Name: c.Name, Description: c.Description,
		CreatedAt: now, UpdatedAt: now}, Shared: c.Shared}
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error { return tx.InsertMeteringLabel(ctx, l) })
	if err != nil {
		return nil, err
	}
	return l, nil
}

// GetMeteringLabel returns a label (404 MeteringLabelNotFound).
func (s *Service) GetMeteringLabel(ctx context.Context, id string) (*network.MeteringLabel, error) {
	var l *network.MeteringLabel
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		l, err = tx.GetMeteringLabel(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return MeteringLabelNotFound(id)
		}
		return err
	})
	return l, err
}

// ListMeteringLabels lists the labels f's scope sees.
func (s *Service) ListMeteringLabels(ctx context.Context, f network.Filter) ([]*network.MeteringLabel, error) {
	var out []*network.MeteringLabel
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		out, err = tx.ListMeteringLabels(ctx, f)
		return err
	})
	return out, err
}

// DeleteMeteringLabel deletes a label and its rules.
func (s *Service) DeleteMeteringLabel(ctx context.Context, id string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if _, err := tx.GetMeteringLabel(ctx, id); errors.Is(err, apierr.ErrNotFound) {
			return MeteringLabelNotFound(id)
		} else if err != nil {
			return err
		}
		return tx.DeleteMeteringLabel(ctx, id)
	})
}

// meteringPrefix validates an IP prefix attribute as Neutron's
// type:subnet validator does and returns it as stored.
func meteringPrefix(attr string, p *string) (*string, *netip.Prefix, error) {
	if p == nil || *p == "" {
		return nil, nil, nil
	}
	pf, err := netip.ParsePrefix(*p)
	if err != nil {
		if a, err := netip.ParseAddr(*p); err == nil && !strings.Contains(*p, "/") {
			return nil, nil, network.BadRequest("Invalid input for %s. Reason: '%s' isn't a recognized IP subnet cidr, '%s' is recommended.",
				attr, *p, netip.PrefixFrom(a, a.BitLen()))
		}
		return nil, nil, network.BadRequest("Invalid input for %s. Reason: '%s' is not a valid IP subnet.", attr, *p)
	}
	v := pf.String()
	return &v, &pf, nil
}

// CreateMeteringRule adds a rule to a label. Neutron's checks: a valid
// direction; remote_ip_prefix alone or source/destination prefixes; and
// no two rules of a label with the same direction and exclusion whose
// remote prefixes overlap (409 MeteringLabelRuleOverlaps).
func (s *Service) CreateMeteringRule(ctx context.Context, c MeteringRuleCreate) (*network.MeteringRule, error) {
	if c.Direction != "ingress" && c.Direction != "egress" {
		return nil, network.BadRequest("Invalid input for direction. Reason: '%s' is not in ['ingress', 'egress'].", c.Direction)
	}
	r := &network.MeteringRule{ID: uuid.NewString(), LabelID: c.LabelID, Direction: c.Direction, Excluded: c.Excluded}
	var remote *netip.Prefix
	var err error
	if r.RemoteIP, remote, err = meteringPrefix("remote_ip_prefix", c.RemoteIP); err != nil {
		return nil, err
	}
	if r.Source, _, err = meteringPrefix("source_ip_prefix", c.Source); err != nil {
		return nil, err
	}
	if r.Dest, _, err = meteringPrefix("destination_ip_prefix", c.Dest); err != nil {
		return nil, err
	}
	if r.RemoteIP != nil && (r.Source != nil || r.Dest != nil) {
		return nil, network.BadRequest("Cannot use 'remote-ip-prefix' in conjunction with 'source-ip-prefix' or 'destination-ip-prefix'.").WithType("Invalid")
	}
	if r.RemoteIP == nil && r.Source == nil && r.Dest == nil {
		return nil, network.BadRequest("You must define at least one of the following parameters 'remote_ip_address', or a combination of 'source_ip_address' and 'destination_ip_address'.").WithType("Invalid")
	}
	err = s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if _, err := tx.GetMeteringLabel(ctx, c.LabelID); errors.Is(err, apierr.ErrNotFound) {
			return MeteringLabelNotFound(c.LabelID)
		} else if err != nil {
			return err
		}
		if remote != nil {
			others, err := tx.ListMeteringRules(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"metering_label_id": {c.LabelID}}})
			if err != nil {
				return err
			}
			for _, o := range others {
				if o.RemoteIP == nil || o.Direction != r.Direction || o.Excluded != r.Excluded {
					continue
				}
				if op, err := netip.ParsePrefix(*o.RemoteIP); err == nil && op.Overlaps(*remote) {
					return network.Conflict("MeteringLabelRuleOverlaps", "Metering label rule with remote_ip_prefix %s overlaps another.", *r.RemoteIP)
				}
			}
		}
		return tx.InsertMeteringRule(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// MeteringRuleNotFound is Neutron's 404 for a label rule.
func MeteringRuleNotFound(id string) *apierr.Error {
	return apierr.NotFound("Metering label rule %s does not exist.", id).WithType("MeteringLabelRuleNotFound")
}

// GetMeteringRule returns a rule (404 MeteringLabelRuleNotFound).
func (s *Service) GetMeteringRule(ctx context.Context, id string) (*network.MeteringRule, error) {
	var r *network.MeteringRule
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		r, err = tx.GetMeteringRule(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return MeteringRuleNotFound(id)
		}
		return err
	})
	return r, err
}

// ListMeteringRules lists the rules, narrowed by f.
func (s *Service) ListMeteringRules(ctx context.Context, f network.Filter) ([]*network.MeteringRule, error) {
	var out []*network.MeteringRule
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		out, err = tx.ListMeteringRules(ctx, f)
		return err
	})
	return out, err
}

// DeleteMeteringRule deletes a rule.
func (s *Service) DeleteMeteringRule(ctx context.Context, id string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if _, err := tx.GetMeteringRule(ctx, id); errors.Is(err, apierr.ErrNotFound) {
			return MeteringRuleNotFound(id)
		} else if err != nil {
			return err
		}
		return tx.DeleteMeteringRule(ctx, id)
	})
}
