package network

import "context"

// SecurityGroupTx is the security groups' part of a transaction.
type SecurityGroupTx interface {
	// SetPortGroups replaces the security groups bound to a port.
	SetPortGroups(ctx context.Context, port string, groups []string) error
}

// BindGroups sets the security groups of port p, being created or
// updated, inside tx: requested nil keeps p's groups on an update and
// gives a new port its project's default group; an empty list removes
// them all. Groups need port security on.
func (s *Service) BindGroups(ctx context.Context, tx Tx, p *Port, requested *[]string, creating bool) error {
	switch {
	case requested != nil:
		p.SecurityGroups = *requested
	case creating:
		p.SecurityGroups = []string{}
	default:
		return nil
	}
	if len(p.SecurityGroups) > 0 && !p.PortSecurity {
		return Conflict("PortSecurityAndIPRequiredForSecurityGroups", "Port security must be enabled and port must have an IP address in order to use security groups.")
	}
	return tx.SetPortGroups(ctx, p.ID, p.SecurityGroups)
}
