// Package service is the contract between the cloud and its services: a
// Spec says what a service is (its name, catalog entry, listeners,
// migrations and how it starts) and Env is everything a service gets from
// the platform when it starts — configuration, database, bus, logger,
// workers, token validation, limits and the service credentials. Env holds
// no service's types: a service reaches another only through that
// service's client, over Env.HTTPClient, which calls a service of the same
// process in-process and any other over the network.
//
// Each service owns its Spec in its own tree (internal/<service>/spec);
// internal/register.go lists them; internal/cloud starts them.
package service

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"

	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/notify"
	"github.com/gostack/gostack/internal/platform/policy"
	"github.com/gostack/gostack/internal/platform/quota"
	"github.com/gostack/gostack/internal/platform/worker"
)

// Spec describes one service of the cloud.
type Spec struct {
	Name string // "keystone", "nova": the catalog's service name
	Type string // catalog type: "identity", "compute"
	// Aliases are further catalog types of the same endpoint, for clients
	// that look the service up by an older name (Cinder's "volumev3").
	Aliases     []string
	Description string
	// Port returns the API's listening port from the configuration.
	Port func(config.Config) int
	// Path is appended to http://host:port for the catalog URL ("/v3").
	Path string
	// Listeners are further listeners of the service, outside the catalog
	// (Nova's noVNC proxy and metadata API). Start gives each its handler
	// with Env.Handle.
	Listeners []Listener
	// Migrate applies the service's database migrations. `gostack admin
	// db upgrade` runs it for every service; Start runs it too.
	Migrate func(ctx context.Context, d *db.DB) error
	// Start builds the service and returns the API's HTTP handler.
	Start func(ctx context.Context, env *Env) (http.Handler, error)
	// Roles are roles the service gives meaning to that bootstrap creates
	// when missing, implying none and implied by none (Swift's
	// ResellerAdmin, which DevStack creates with Swift).
	Roles []string
	// NoCatalog keeps the service out of Keystone's catalog: Type still
	// names its listener, as Horizon listens without a catalog entry.
	NoCatalog bool
}

// Listener is an extra listener of a service.
type Listener struct {
	Name string // "console": its URL is Env.URLs[Name]
	Port func(config.Config) int
	Path string
}

// Identity is what the platform needs from the identity service: token
// validation for every service of the process, unified limits for their
// quotas, and the bootstrap of a new cloud. The identity service's spec
// provides it with Env.SetIdentity.
type Identity interface {
	Validate(ctx context.Context, token string) (*auth.Credentials, error)
	// Limit is the project's Keystone unified limit for (service type,
	// region, resource), or its registered default; ok false when neither.
	Limit(ctx context.Context, serviceType, region, projectID, resource string) (limit int64, ok bool, err error)
	// AdminExists reports whether the cloud was bootstrapped before.
	AdminExists(ctx context.Context) (bool, error)
	Bootstrap(ctx context.Context, req BootstrapRequest) (*BootstrapResult, error)
}

// BootstrapRequest says what a new cloud starts with; bootstrap keeps what
// exists and creates what is missing.
type BootstrapRequest struct {
	AdminPassword string
	// ResetPassword sets AdminPassword on an existing admin too.
	ResetPassword bool
	Region        string
	Catalog       []CatalogEntry
	// Roles are the services' own roles (Spec.Roles).
	Roles []string
}

// CatalogEntry is one service in the catalog, with one URL for every
// interface.
type CatalogEntry struct {
	Type, Name, Description, URL string
}

// BootstrapResult reports what bootstrap found or made.
type BootstrapResult struct {
	AdminUserID, AdminProjectID, ServiceProjectID string
	// CreatedAdmin is set when this bootstrap created the admin user.
	CreatedAdmin bool
}

// Env is what a service gets when it starts.
type Env struct {
	Config   config.Config
	DB       *db.DB
	Log      *slog.Logger
	Bus      *bus.Bus
	Notifier *notify.Notifier
	// Liveness knows which services on which hosts sent a heartbeat lately
	// (what `openstack compute service list` shows as up or down).
	Liveness *bus.Liveness
	// Workers are the process's background workers, started once every
	// service is up and stopped before the services close.
	Workers *worker.Group
	// URLs are the URLs of every service and listener of the cloud, by
	// catalog type or listener name, known before any service starts.
	URLs map[string]string

	serviceToken string
	transport    *inProcess
	httpClient   *http.Client

	mu             sync.Mutex
	identity       Identity
	serviceProject string
	closers        []func()
	handlers       map[string]http.Handler
}

// NewEnv returns an Env; the cloud fills in its platform parts.
func NewEnv(serviceToken string) *Env {
	e := &Env{serviceToken: serviceToken, handlers: map[string]http.Handler{}}
	e.transport = newInProcess()
	e.httpClient = &http.Client{Transport: e.transport}
	return e
}

// OnClose registers fn to run when the cloud stops, after the HTTP servers
// and before the bus and the database; the last registered runs first.
func (e *Env) OnClose(fn func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closers = append(e.closers, fn)
}

// Closers returns the functions registered with OnClose, last first, and
// forgets them.
func (e *Env) Closers() []func() {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]func(), 0, len(e.closers))
	for i := len(e.closers) - 1; i >= 0; i-- {
		out = append(out, e.closers[i])
	}
	e.closers = nil
	return out
}

// Handle gives the extra listener name (Spec.Listeners) its handler.
func (e *Env) Handle(name string, h http.Handler) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.handlers[name] = h
}

// Handler returns what Handle registered for name.
func (e *Env) Handler(name string) http.Handler {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.handlers[name]
}

// Serve makes the service listening at hostport reachable in-process
// through HTTPClient. The cloud calls it for every listener it starts.
func (e *Env) Serve(hostport string, h http.Handler) { e.transport.add(hostport, h) }

// HTTPClient is how a service calls another: a request to a service of
// this process is served in-process (no socket, same handler, same
// authentication and policy); any other goes over the network. Callers set
// their own timeouts with contexts.
func (e *Env) HTTPClient() *http.Client { return e.httpClient }

// Policy returns a service's policy enforcer: its default rules, with the
// operator's overrides from <PolicyDir>/<name>.yaml when that file exists
// (name is the service type: "compute" reads compute.yaml).
func (e *Env) Policy(name string, defaults map[string]string) (*policy.Enforcer, error) {
	return policy.Load(defaults, filepath.Join(e.Config.PolicyDir, name+".yaml"))
}

// SetIdentity is called by the identity service when it starts.
func (e *Env) SetIdentity(id Identity) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.identity = id
}

// Identity returns the identity service of the process (nil before it
// started, or in a process without it).
func (e *Env) Identity() Identity {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.identity
}

// SetServiceProject records the id of the service project, which
// bootstrap makes after the services start.
func (e *Env) SetServiceProject(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.serviceProject = id
}

// ServiceProject is the id of the project of the cloud's services (the
// owner of the image service's Swift account); empty until bootstrap.
func (e *Env) ServiceProject() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.serviceProject
}

// ErrNoIdentity is returned when a service needs the identity service and
// the process has none.
var ErrNoIdentity = errors.New("the identity service is not running in this process")

// Validator returns how the services of this process authenticate tokens:
// the service token, else the identity service in-process (which keeps its
// own short cache that every identity write clears, so a revoked token is
// refused at once).
func (e *Env) Validator() auth.Validator { return validator{e} }

type validator struct{ env *Env }

func (v validator) Validate(ctx context.Context, token string) (*auth.Credentials, error) {
	if v.env.serviceToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(v.env.serviceToken)) == 1 {
		return v.env.serviceCredentials(), nil
	}
	id := v.env.Identity()
	if id == nil {
		return nil, ErrNoIdentity
	}
	return id.Validate(ctx, token)
}

// ServiceToken is the token the services of this process use to call each
// other (the compute agent and conductor calling Placement, for example).
// It is random per process start, never written anywhere and only accepted
// by this process's Validator: it stands for the service users of a
// multi-process deployment.
func (e *Env) ServiceToken(context.Context) (string, error) { return e.serviceToken, nil }

// serviceCredentials are what the service token authenticates as: the
// admin and service roles, system scope.
func (e *Env) serviceCredentials() *auth.Credentials {
	return &auth.Credentials{
		UserID:   "gostack-services",
		UserName: "gostack-services",
		System:   "all",
		// ResellerAdmin: Swift's keystoneauth lets the services into
		// every account, the image service's swift store into the
		// service project's.
		Roles:   []string{"admin", "member", "reader", "service", "ResellerAdmin"},
		Methods: []string{"token"},
		Token:   e.serviceToken,
	}
}

// Limits returns Keystone unified limits for serviceType's quotas, read
// from the identity service of the process.
func (e *Env) Limits(serviceType string) quota.LimitSource {
	return limits{env: e, service: serviceType}
}

type limits struct {
	env     *Env
	service string
}

func (l limits) Limit(ctx context.Context, service, projectID, resource string) (int64, bool, error) {
	if service == "" {
		service = l.service
	}
	id := l.env.Identity()
	if id == nil {
		return 0, false, ErrNoIdentity
	}
	return id.Limit(ctx, service, l.env.Config.Region, projectID, resource)
}
