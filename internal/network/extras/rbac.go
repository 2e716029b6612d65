package extras

import (
	"context"
	"errors"
	"slices"

	"github.com/gostack/gostack/internal/network"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// rbacActions are the object types RBAC policies may name, with the
// actions valid on each. Networks are the one type whose visibility the
// policies change here.
var rbacActions = map[string][]string{
	"network": {network.AccessExternal, network.AccessShared},
}

// RBACCreate is a create request.
type RBACCreate struct {
	ProjectID  string
	ObjectType string
	ObjectID   string
	Action     string
	Target     string
}

func rbacNotFound(id string) *apierr.Error {
	// The type of a policy that is not there is unknown, as Neutron says.
	return apierr.NotFound("RBAC policy of type unknown with ID %s not found", id).WithType("RbacPolicyNotFound")
}

func rbacInUse(objectID string) *apierr.Error {
	return network.Conflict("RbacPolicyInUse", "RBAC policy on object %s cannot be removed because other objects depend on it.\nDetails: network", objectID)
}

// CheckRBACType validates an object type and action as Neutron's API
// does (400).
func CheckRBACType(objectType, action string) error {
	valid, ok := rbacActions[objectType]
	if !ok {
		return network.BadRequest("Invalid input for object_type. Reason: '%s' is not in ['network'].", objectType)
	}
	if !slices.Contains(valid, action) {
		if action != network.AccessShared && action != network.AccessExternal {
			return network.BadRequest("Invalid input for action. Reason: '%s' is not in ['access_as_external', 'access_as_shared'].", action)
		}
		return network.BadRequest("Invalid action '%s' for object type '%s'. Valid actions: %v", action, objectType, valid).WithType("InvalidActionForType")
	}
	return nil
}

// CreateRBAC creates a policy: the caller must own the object (or be
// admin). A policy for every project ("*") makes the network shared or
// external, as the network's own attributes do.
func (s *Service) CreateRBAC(ctx context.Context, sc network.Scope, c RBACCreate) (*network.RBACPolicy, error) {
	if err := CheckRBACType(c.ObjectType, c.Action); err != nil {
		return nil, err
	}
	if c.Target == "" {
		return nil, network.BadRequest("Invalid input for target_tenant. Reason: '' is not a valid project id.")
	}
	limit, err := s.net.Limit(ctx, c.ProjectID, "rbac_policy")
	if err != nil {
		return nil, err
	}
	p := &network.RBACPolicy{ID: uuid.NewString(), ProjectID: c.ProjectID, ObjectType: c.ObjectType, ObjectID: c.ObjectID,
		Action: c.Action, Target: c.Target}
	err = s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		n, err := s.ownedNetwork(ctx, tx, sc, c.ObjectID)
		if err != nil {
			return err
		}
		if err := s.net.CheckQuota(ctx, tx, c.ProjectID, "rbac_policy", 1, limit); err != nil {
			return err
		}
		if err := tx.InsertRBAC(ctx, p); err != nil {
			if errors.Is(err, apierr.ErrDuplicate) {
				return network.Conflict("DuplicateRbacPolicy", "An RBAC policy already exists with those values.")
			}
			return err
		}
		return s.applyWildcard(ctx, tx, n, p, true)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ownedNetwork reads the network a policy is about: 404 when it does not
// exist, Neutron's 400 when the caller does not own it.
func (s *Service) ownedNetwork(ctx context.Context, tx network.Tx, sc network.Scope, id string) (*network.Network, error) {
	n, err := tx.GetNetwork(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, network.NotFound("Network", id)
	}
	if err != nil {
		return nil, err
	}
	if !sc.Sees(n.ProjectID) {
		return nil, network.InvalidInput("Only admins can manipulate policies on objects they do not own")
	}
	return n, nil
}

// applyWildcard keeps a network's shared and router:external attributes
// in step with its "*" policies: granted to every project, the network
// is shared (or external) for everyone.
func (s *Service) applyWildcard(ctx context.Context, tx network.Tx, n *network.Network, p *network.RBACPolicy, on bool) error {
	if p.Target != "*" {
		return nil
	}
	switch p.Action {
	case network.AccessShared:
		if n.Shared == on {
			return nil
		}
		n.Shared = on
	case network.AccessExternal:
		if n.External == on {
			return nil
		}
		n.External = on
	default:
		return nil
	}
	n.Revision++
	n.UpdatedAt = db.Now()
	return tx.UpdateNetwork(ctx, n)
}

// GetRBAC returns a policy the scope sees (404 otherwise).
func (s *Service) GetRBAC(ctx context.Context, sc network.Scope, id string) (*network.RBACPolicy, error) {
	var p *network.RBACPolicy
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		p, err = getRBAC(ctx, tx, sc, id)
		return err
	})
	return p, err
}

func getRBAC(ctx context.Context, tx network.Tx, sc network.Scope, id string) (*network.RBACPolicy, error) {
	p, err := tx.GetRBAC(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(p.ProjectID)) {
		return nil, rbacNotFound(id)
	}
	return p, err
}

// ListRBAC lists the policies the scope sees.
func (s *Service) ListRBAC(ctx context.Context, f network.Filter) ([]*network.RBACPolicy, error) {
	var out []*network.RBACPolicy
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		out, err = tx.ListRBAC(ctx, f)
		return err
	})
	return out, err
}

// UpdateRBAC moves a policy to another target project, which the old
// target must no longer need.
func (s *Service) UpdateRBAC(ctx context.Context, sc network.Scope, id, target string) (*network.RBACPolicy, error) {
	if target == "" {
		return nil, network.BadRequest("Invalid input for target_tenant. Reason: '' is not a valid project id.")
	}
	var p *network.RBACPolicy
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		if p, err = getRBAC(ctx, tx, sc, id); err != nil {
			return err
		}
		if p.Target == target {
			return nil
		}
		n, err := s.ownedNetwork(ctx, tx, sc, p.ObjectID)
		if err != nil {
			return err
		}
		if err := s.checkRBACUnused(ctx, tx, n, p); err != nil {
			return err
		}
		if err := s.applyWildcard(ctx, tx, n, p, false); err != nil {
			return err
		}
		p.Target = target
		if err := tx.UpdateRBAC(ctx, p); err != nil {
			if errors.Is(err, apierr.ErrDuplicate) {
				return network.Conflict("DuplicateRbacPolicy", "An RBAC policy already exists with those values.")
			}
			return err
		}
		return s.applyWildcard(ctx, tx, n, p, true)
	})
	return p, err
}

// DeleteRBAC deletes a policy no project still depends on: a project it
// grants a shared network must have no port left on it, one it grants an
// external network no router gateway or floating IP.
func (s *Service) DeleteRBAC(ctx context.Context, sc network.Scope, id string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		p, err := getRBAC(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		n, err := tx.GetNetwork(ctx, p.ObjectID)
		if errors.Is(err, apierr.ErrNotFound) {
			return tx.DeleteRBAC(ctx, id)
		}
		if err != nil {
			return err
		}
		if err := s.checkRBACUnused(ctx, tx, n, p); err != nil {
			return err
		}
		if err := s.applyWildcard(ctx, tx, n, p, false); err != nil {
			return err
		}
		return tx.DeleteRBAC(ctx, id)
	})
}

// checkRBACUnused refuses to take p away while a project it grants
// access to, and that no other policy covers, uses the network.
func (s *Service) checkRBACUnused(ctx context.Context, tx network.Tx, n *network.Network, p *network.RBACPolicy) error {
	others, err := tx.ListRBAC(ctx, network.Filter{Scope: network.Scope{Admin: true},
		Eq: map[string][]string{"object_id": {n.ID}, "action": {p.Action}}})
	if err != nil {
		return err
	}
	covered := map[string]bool{n.ProjectID: true}
	for _, o := range others {
		if o.ID == p.ID || o.ObjectType != p.ObjectType {
			continue
		}
		if o.Target == "*" {
			return nil
		}
		covered[o.Target] = true
	}
	ports, err := tx.ListPorts(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"network_id": {n.ID}}})
	if err != nil {
		return err
	}
	for _, port := range ports {
		if covered[port.ProjectID] || (p.Target != "*" && port.ProjectID != p.Target) {
			continue
		}
		if p.Action == network.AccessExternal && port.DeviceOwner != network.OwnerRouterGateway && port.DeviceOwner != network.OwnerFloatingIP {
			continue
		}
		return rbacInUse(n.ID)
	}
	return nil
}

// RBACGrants returns the actions the policies on an object grant to
// project, directly or through "*": what the network API needs to show a
// network shared with one project as shared to it.
func (s *Service) RBACGrants(ctx context.Context, objectType, objectID, project string) ([]string, error) {
	var out []string
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		out, err = tx.RBACActions(ctx, objectType, objectID, project)
		return err
	})
	return out, err
}
