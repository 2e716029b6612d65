package federation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// Config is the [federation] configuration, under Keystone's names.
type Config struct {
	// RemoteIDAttribute is the assertion attribute (request header) that
	// carries the IdP's entity id, unless the protocol names its own.
	// Empty: remote ids are not checked.
	RemoteIDAttribute string
	// TrustedDashboards are the origins (exact URLs) web single sign-on
	// may post a token to.
	TrustedDashboards []string
	// RelayStatePrefix is the default relay_state_prefix of a service
	// provider (Keystone's [saml] relay_state_prefix, "ss:mem:").
	RelayStatePrefix string
}

// Service is OS-FEDERATION's use cases.
type Service struct {
	cfg      Config
	store    Store
	dir      *directory.Service
	asg      *assignment.Service
	onChange func()
}

// New returns the federation service. onChange runs after a login
// changed a shadow user's groups or an IdP's deletion removed users, so
// that cached token validations and roles are dropped.
func New(cfg Config, store Store, dir *directory.Service, asg *assignment.Service, onChange func()) *Service {
	if cfg.RelayStatePrefix == "" {
		cfg.RelayStatePrefix = "ss:mem:"
	}
	return &Service{cfg: cfg, store: store, dir: dir, asg: asg, onChange: onChange}
}

// Config returns the federation configuration.
func (s *Service) Config() Config { return s.cfg }

// IdPNotFound is Keystone's 404 for an unknown identity provider.
func IdPNotFound(id string) *apierr.Error {
	return apierr.NotFound("Could not find Identity Provider: %s.", id)
}

// ProtocolNotFound is Keystone's 404 for an unknown protocol of an IdP.
func ProtocolNotFound(idpID, id string) *apierr.Error {
	return apierr.NotFound("Could not find federated protocol %s for Identity Provider: %s.", id, idpID)
}

// MappingNotFound is Keystone's 404 for an unknown mapping.
func MappingNotFound(id string) *apierr.Error {
	return apierr.NotFound("Could not find mapping: %s.", id)
}

// ServiceProviderNotFound is Keystone's 404 for an unknown service provider.
func ServiceProviderNotFound(id string) *apierr.Error {
	return apierr.NotFound("Could not find Service Provider: %s.", id)
}

// checkID applies Keystone's limit on the ids clients choose (its
// columns are 64 characters).
func checkID(kind, id string) error {
	if id == "" || len(id) > 64 {
		return apierr.BadRequest("Invalid input for field 'id': the %s id must be 1 to 64 characters.", kind)
	}
	return nil
}

// Identity providers.

// CreateIdP registers an identity provider. Without a domain, a domain
// named after the IdP is created for its users, as Keystone does.
func (s *Service) CreateIdP(ctx context.Context, idp *IdP) (*IdP, error) {
	if err := checkID("identity provider", idp.ID); err != nil {
		return nil, err
	}
	if err := checkRemoteIDs(idp.RemoteIDs); err != nil {
		return nil, err
	}
	var dom *directory.Domain
	if idp.DomainID == "" {
		dom = &directory.Domain{
			ID: directory.NewID(), Name: idp.ID, Enabled: true, IsDomain: true, DomainID: directory.RootDomainID,
			Description: "Auto generated federated domain for Identity Provider: " + idp.ID,
		}
		if err := directory.CheckName("domain", dom.Name, 64); err != nil {
			return nil, err
		}
		idp.DomainID = dom.ID
	} else if _, err := s.dir.GetDomain(ctx, idp.DomainID); err != nil {
		// Keystone answers its DomainNotFound, a 404.
		return nil, err
	}
	if idp.RemoteIDs == nil {
		idp.RemoteIDs = []string{}
	}
	if err := s.store.CreateIdP(ctx, idp, dom); err != nil {
		return nil, err
	}
	return s.store.GetIdP(ctx, idp.ID)
}

func checkRemoteIDs(ids []string) error {
	seen := map[string]bool{}
	for _, r := range ids {
		if seen[r] {
			return apierr.BadRequest("Invalid input for field 'remote_ids': %s has non-unique elements.", pyfmt.Repr(ids))
		}
		seen[r] = true
	}
	return nil
}

// GetIdP returns an identity provider.
func (s *Service) GetIdP(ctx context.Context, id string) (*IdP, error) {
	return s.store.GetIdP(ctx, id)
}

// ListIdPs lists identity providers, filtered by id and enabled.
func (s *Service) ListIdPs(ctx context.Context, id string, enabled *bool) ([]*IdP, error) {
	all, err := s.store.ListIdPs(ctx)
	if err != nil {
		return nil, err
	}
	out := []*IdP{}
	for _, i := range all {
		if (id == "" || i.ID == id) && (enabled == nil || i.Enabled == *enabled) {
			out = append(out, i)
		}
	}
	return out, nil
}

// UpdateIdP changes an identity provider: apply edits a copy, which is
// then validated and stored.
func (s *Service) UpdateIdP(ctx context.Context, id string, apply func(*IdP)) (*IdP, error) {
	idp, err := s.store.GetIdP(ctx, id)
	if err != nil {
		return nil, err
	}
	apply(idp)
	if err := checkRemoteIDs(idp.RemoteIDs); err != nil {
		return nil, err
	}
	if err := s.store.UpdateIdP(ctx, idp); err != nil {
		return nil, err
	}
	return s.store.GetIdP(ctx, id)
}

// DeleteIdP deletes an identity provider, its protocols and its users.
func (s *Service) DeleteIdP(ctx context.Context, id string) error {
	if err := s.store.DeleteIdP(ctx, id); err != nil {
		return err
	}
	s.onChange()
	return nil
}

// Protocols.

// mappingIDPattern is Keystone's mapping_id_string.
var mappingIDPattern = regexp.MustCompile(`^[a-zA-Z0-9-]+$`)

func (s *Service) checkProtocol(ctx context.Context, p *Protocol) error {
	if len(p.MappingID) > 64 || !mappingIDPattern.MatchString(p.MappingID) {
		return apierr.BadRequest("Invalid input for field 'mapping_id': %s does not match '^[a-zA-Z0-9-]+$'.", pyfmt.Repr(p.MappingID))
	}
	if p.RemoteIDAttribute != nil && len(*p.RemoteIDAttribute) > 64 {
		return apierr.BadRequest("Invalid input for field 'remote_id_attribute': it is too long (at most 64 characters).")
	}
	if _, err := s.store.GetMapping(ctx, p.MappingID); err != nil {
		if apierr.IsNotFound(err) {
			return apierr.BadRequest("Invalid mapping id: %s", p.MappingID)
		}
		return err
	}
	return nil
}

// CreateProtocol adds a protocol to an identity provider.
func (s *Service) CreateProtocol(ctx context.Context, p *Protocol) (*Protocol, error) {
	if err := checkID("protocol", p.ID); err != nil {
		return nil, err
	}
	if _, err := s.store.GetIdP(ctx, p.IdPID); err != nil {
		return nil, err
	}
	if err := s.checkProtocol(ctx, p); err != nil {
		return nil, err
	}
	if err := s.store.CreateProtocol(ctx, p); err != nil {
		return nil, err
	}
	return s.store.GetProtocol(ctx, p.IdPID, p.ID)
}

// GetProtocol returns a protocol of an identity provider.
func (s *Service) GetProtocol(ctx context.Context, idpID, id string) (*Protocol, error) {
	if _, err := s.store.GetIdP(ctx, idpID); err != nil {
		return nil, err
	}
	return s.store.GetProtocol(ctx, idpID, id)
}

// ListProtocols lists the protocols of an identity provider.
func (s *Service) ListProtocols(ctx context.Context, idpID string) ([]*Protocol, error) {
	if _, err := s.store.GetIdP(ctx, idpID); err != nil {
		return nil, err
	}
	return s.store.ListProtocols(ctx, idpID)
}

// UpdateProtocol changes a protocol's mapping or remote id attribute.
func (s *Service) UpdateProtocol(ctx context.Context, idpID, id string, apply func(*Protocol)) (*Protocol, error) {
	p, err := s.GetProtocol(ctx, idpID, id)
	if err != nil {
		return nil, err
	}
	apply(p)
	if err := s.checkProtocol(ctx, p); err != nil {
		return nil, err
	}
	if err := s.store.UpdateProtocol(ctx, p); err != nil {
		return nil, err
	}
	return s.store.GetProtocol(ctx, idpID, id)
}

// DeleteProtocol removes a protocol from an identity provider.
func (s *Service) DeleteProtocol(ctx context.Context, idpID, id string) error {
	if _, err := s.store.GetIdP(ctx, idpID); err != nil {
		return err
	}
	return s.store.DeleteProtocol(ctx, idpID, id)
}

// Mappings.

// CreateMapping stores a mapping after checking it against Keystone's
// mapping schema; body is the whole "mapping" object.
func (s *Service) CreateMapping(ctx context.Context, id string, body map[string]any) (*Mapping, error) {
	if err := checkID("mapping", id); err != nil {
		return nil, err
	}
	m, err := mappingOf(id, body)
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateMapping(ctx, m); err != nil {
		return nil, err
	}
	return s.store.GetMapping(ctx, id)
}

func mappingOf(id string, body map[string]any) (*Mapping, error) {
	if err := Validate(body); err != nil {
		return nil, apierr.BadRequest("%s", err.Error())
	}
	m := &Mapping{ID: id, SchemaVersion: "1.0"}
	m.Rules, _ = body["rules"].([]any)
	if v, ok := body["schema_version"].(string); ok && v != "" {
		if v != "1.0" {
			return nil, apierr.BadRequest("Invalid input for field 'schema_version': %s is not a supported mapping schema version (1.0).", pyfmt.Repr(v))
		}
	}
	return m, nil
}

// GetMapping returns a mapping.
func (s *Service) GetMapping(ctx context.Context, id string) (*Mapping, error) {
	return s.store.GetMapping(ctx, id)
}

// ListMappings lists the mappings.
func (s *Service) ListMappings(ctx context.Context) ([]*Mapping, error) {
	return s.store.ListMappings(ctx)
}

// UpdateMapping replaces a mapping's rules.
func (s *Service) UpdateMapping(ctx context.Context, id string, body map[string]any) (*Mapping, error) {
	if _, err := s.store.GetMapping(ctx, id); err != nil {
		return nil, err
	}
	m, err := mappingOf(id, body)
	if err != nil {
		return nil, err
	}
	if err := s.store.UpdateMapping(ctx, m); err != nil {
		return nil, err
	}
	return s.store.GetMapping(ctx, id)
}

// DeleteMapping deletes a mapping.
func (s *Service) DeleteMapping(ctx context.Context, id string) error {
	return s.store.DeleteMapping(ctx, id)
}

// Service providers.

// urlPattern is Keystone's parameter_types.url.
var urlPattern = regexp.MustCompile(`^[a-zA-Z0-9+.-]+:.+`)

func checkSP(sp *ServiceProvider) error {
	for _, f := range []struct{ name, v string }{{"auth_url", sp.AuthURL}, {"sp_url", sp.SPURL}} {
		if len(f.v) > 225 || !urlPattern.MatchString(f.v) {
			return apierr.BadRequest("Invalid input for field '%s': %s does not match '^[a-zA-Z0-9+.-]+:.+'.", f.name, pyfmt.Repr(f.v))
		}
		if _, err := url.Parse(f.v); err != nil {
			return apierr.BadRequest("Invalid input for field '%s': %s is not a URL.", f.name, pyfmt.Repr(f.v))
		}
	}
	return nil
}

// CreateServiceProvider registers a service provider.
func (s *Service) CreateServiceProvider(ctx context.Context, sp *ServiceProvider) (*ServiceProvider, error) {
	if err := checkID("service provider", sp.ID); err != nil {
		return nil, err
	}
	if sp.RelayStatePrefix == "" {
		sp.RelayStatePrefix = s.cfg.RelayStatePrefix
	}
	if err := checkSP(sp); err != nil {
		return nil, err
	}
	if err := s.store.CreateServiceProvider(ctx, sp); err != nil {
		return nil, err
	}
	return s.store.GetServiceProvider(ctx, sp.ID)
}

// GetServiceProvider returns a service provider.
func (s *Service) GetServiceProvider(ctx context.Context, id string) (*ServiceProvider, error) {
	return s.store.GetServiceProvider(ctx, id)
}

// ListServiceProviders lists service providers, filtered by id and enabled.
func (s *Service) ListServiceProviders(ctx context.Context, id string, enabled *bool) ([]*ServiceProvider, error) {
	all, err := s.store.ListServiceProviders(ctx)
	if err != nil {
		return nil, err
	}
	out := []*ServiceProvider{}
	for _, sp := range all {
		if (id == "" || sp.ID == id) && (enabled == nil || sp.Enabled == *enabled) {
			out = append(out, sp)
		}
	}
	return out, nil
}

// UpdateServiceProvider changes a service provider.
func (s *Service) UpdateServiceProvider(ctx context.Context, id string, apply func(*ServiceProvider)) (*ServiceProvider, error) {
	sp, err := s.store.GetServiceProvider(ctx, id)
	if err != nil {
		return nil, err
	}
	apply(sp)
	if sp.RelayStatePrefix == "" {
		sp.RelayStatePrefix = s.cfg.RelayStatePrefix
	}
	if err := checkSP(sp); err != nil {
		return nil, err
	}
	if err := s.store.UpdateServiceProvider(ctx, sp); err != nil {
		return nil, err
	}
	return s.store.GetServiceProvider(ctx, id)
}

// DeleteServiceProvider deletes a service provider.
func (s *Service) DeleteServiceProvider(ctx context.Context, id string) error {
	return s.store.DeleteServiceProvider(ctx, id)
}

// Federated login.

// authFailed is Keystone's 401 for an assertion that maps to nobody; the
// cause is kept for the log only.
func authFailed(cause error) error {
	e := apierr.Unauthorized("The request you have made requires authentication.")
	if cause != nil {
		e.WithCause(errors.New(cause.Error()))
	}
	return e
}

// IdPByRemoteID returns the identity provider that claims remoteID.
func (s *Service) IdPByRemoteID(ctx context.Context, remoteID string) (*IdP, error) {
	return s.store.IdPByRemoteID(ctx, remoteID)
}

// RemoteIDAttribute is where a protocol of an IdP reads the IdP's remote
// id: the protocol's own attribute, else the configured one.
func (s *Service) RemoteIDAttribute(p *Protocol) string {
	if p.RemoteIDAttribute != nil && *p.RemoteIDAttribute != "" {
		return *p.RemoteIDAttribute
	}
	return s.cfg.RemoteIDAttribute
}

// Login authenticates an assertion through an IdP's protocol, as
// Keystone's mapped auth plugin: the IdP must be enabled and, when it
// lists remote ids, assert one of them; the protocol's mapping turns the
// assertion into an ephemeral user (shadowed in the IdP's domain, with
// the mapped groups as memberships and the mapped projects provisioned)
// or an existing local user.
func (s *Service) Login(ctx context.Context, idpID, protocolID string, a Assertion) (*Login, error) {
	idp, err := s.store.GetIdP(ctx, idpID)
	if err != nil {
		return nil, err
	}
	if !idp.Enabled {
		return nil, apierr.Forbidden("Identity Provider %s is disabled", idp.ID)
	}
	proto, err := s.store.GetProtocol(ctx, idpID, protocolID)
	if err != nil {
		return nil, err
	}
	if attr := s.RemoteIDAttribute(proto); attr != "" && len(idp.RemoteIDs) > 0 {
		rid, ok := a.Get(attr)
		if !ok {
			return nil, authFailed(errors.New("Could not find Identity Provider identifier in environment"))
		}
		found := false
		for _, r := range idp.RemoteIDs {
			found = found || r == rid
		}
		if !found {
			return nil, apierr.Forbidden("Incoming identity provider identifier not included among the accepted identifiers.")
		}
	}
	mapping, err := s.store.GetMapping(ctx, proto.MappingID)
	if err != nil {
		return nil, err
	}
	mapped, err := Process(mapping.Rules, a)
	if err != nil {
		return nil, authFailed(err)
	}
	groupIDs, err := s.groupIDs(ctx, mapping.ID, mapped)
	if err != nil {
		return nil, err
	}
	if mapped.User.Type == Local {
		u, err := s.localUser(ctx, mapped.User)
		if err != nil {
			return nil, err
		}
		return &Login{User: u, IdPID: idp.ID, ProtocolID: proto.ID}, nil
	}
	fu, err := s.federatedUser(ctx, idp, proto.ID, mapped.User, a)
	if err != nil {
		return nil, err
	}
	roles, err := s.checkProjects(ctx, mapped.Projects, idp)
	if err != nil {
		return nil, err
	}
	userID, err := s.store.ShadowUser(ctx, fu, groupIDs)
	if err != nil {
		return nil, err
	}
	s.onChange()
	if err := s.provision(ctx, userID, idp.DomainID, mapped.Projects, roles); err != nil {
		return nil, err
	}
	u, err := s.dir.GetUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &Login{User: u, Ephemeral: true, IdPID: idp.ID, ProtocolID: proto.ID, GroupIDs: groupIDs}, nil
}

// groupIDs resolves the mapped groups: ids must exist; a group named
// with its domain that does not exist is skipped, as in Keystone.
func (s *Service) groupIDs(ctx context.Context, mappingID string, m *Mapped) ([]string, error) {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range m.GroupIDs {
		if _, err := s.dir.GetGroup(ctx, id); err != nil {
			if apierr.IsNotFound(err) {
				return nil, authFailed(fmt.Errorf("Group %s returned by mapping %s was not found in the backend.", id, mappingID))
			}
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, g := range m.GroupNames {
		dom, err := s.domain(ctx, g.Domain)
		if err != nil {
			return nil, err
		}
		gs, err := s.dir.ListGroups(ctx, dom.ID, g.Name, nil)
		if err != nil {
			return nil, err
		}
		for _, grp := range gs {
			if strings.EqualFold(grp.Name, g.Name) && !seen[grp.ID] {
				seen[grp.ID] = true
				out = append(out, grp.ID)
			}
		}
	}
	return out, nil
}

func (s *Service) domain(ctx context.Context, r Ref) (*directory.Domain, error) {
	if r.ID != "" {
		return s.dir.GetDomain(ctx, r.ID)
	}
	return s.dir.GetDomainByName(ctx, r.Name)
}

// localUser finds the existing user a "local" mapping names.
func (s *Service) localUser(ctx context.Context, mu MappedUser) (*directory.User, error) {
	var u *directory.User
	var err error
	switch {
	case mu.ID != "":
		u, err = s.dir.GetUser(ctx, mu.ID)
	case mu.Name != "" && mu.Domain != nil:
		var d *directory.Domain
		if d, err = s.domain(ctx, *mu.Domain); err == nil {
			u, err = s.dir.GetUserByName(ctx, d.ID, mu.Name)
		}
	default:
		return nil, authFailed(errors.New("a local user mapping needs the user's id, or its name and domain"))
	}
	if err != nil {
		return nil, authFailed(err)
	}
	return u, nil
}

// federatedUser settles an ephemeral user's identity as Keystone's
// validate_and_prepare_federated_user: an id or a name is required (the
// name may come from REMOTE_USER); the id defaults to the URL-quoted
// name; the domain defaults to the IdP's.
func (s *Service) federatedUser(ctx context.Context, idp *IdP, protocolID string, mu MappedUser, a Assertion) (FederatedUser, error) {
	name := mu.Name
	if name == "" {
		name, _ = a.Get("REMOTE_USER")
	}
	id := mu.ID
	switch {
	case id == "" && name == "":
		return FederatedUser{}, apierr.Unauthorized("Could not map user while setting ephemeral user identity. Either mapping rules must specify user id/name or REMOTE_USER environment variable must be set.")
	case name == "":
		name = id
	case id == "":
		id = url.PathEscape(name)
	}
	domainID := idp.DomainID
	if mu.Domain != nil && (mu.Domain.ID != "" || mu.Domain.Name != "") {
		d, err := s.domain(ctx, *mu.Domain)
		if err != nil {
			return FederatedUser{}, err
		}
		domainID = d.ID
	}
	if err := directory.CheckName("user", name, 255); err != nil {
		return FederatedUser{}, authFailed(err)
	}
	return FederatedUser{IdPID: idp.ID, ProtocolID: protocolID, UniqueID: id, DisplayName: name, DomainID: domainID}, nil
}

// ShadowUserID is the id of a shadow user, as Keystone's sha256 id
// generator makes it from the user's domain and unique id.
func ShadowUserID(domainID, uniqueID string) string {
	// Keystone hashes the values of {domain_id, entity_type, local_id}
	// in the order of their sorted keys.
	sum := sha256.Sum256([]byte(domainID + "user" + uniqueID))
	return hex.EncodeToString(sum[:])
}

// checkProjects checks, before anything is written, that every role a
// mapping's projects name exists, as Keystone's validate_shadow_mapping.
func (s *Service) checkProjects(ctx context.Context, ps []MappedProject, idp *IdP) (map[string]string, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	rc, err := s.asg.Roles(ctx)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for _, p := range ps {
		if err := directory.CheckName("project", p.Name, 64); err != nil {
			return nil, err
		}
		for _, name := range p.Roles {
			r := rc.ByName(name)
			if r == nil || r.DomainID != "" {
				return nil, apierr.BadRequest("Role %s was specified in the mapping of Identity Provider %s but does not exist. All roles specified in a mapping must exist before assignment.", name, idp.ID)
			}
			ids[name] = r.ID
		}
	}
	return ids, nil
}

// provision creates the mapped projects that do not exist in the IdP's
// domain and grants the user their roles. Each step is idempotent, so a
// login that fails half-way is completed by the next one.
func (s *Service) provision(ctx context.Context, userID, domainID string, ps []MappedProject, roles map[string]string) error {
	for _, mp := range ps {
		p, err := s.dir.GetProjectByName(ctx, domainID, mp.Name)
		if apierr.IsNotFound(err) {
			p, err = s.dir.CreateProject(ctx, &directory.Project{Name: mp.Name, DomainID: domainID, ParentID: domainID, Enabled: true})
			if apierr.IsConflict(err) {
				p, err = s.dir.GetProjectByName(ctx, domainID, mp.Name)
			}
		}
		if err != nil {
			return err
		}
		for _, name := range mp.Roles {
			if err := s.asg.CreateGrant(ctx, assignment.GrantTarget{UserID: userID, ProjectID: p.ID}, roles[name]); err != nil && !apierr.IsConflict(err) {
				return err
			}
		}
	}
	return nil
}
