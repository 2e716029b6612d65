// Package httpapi holds what every gostack HTTP API shares: error-returning
// handlers, one route table per service with policy checks, request ids,
// access logs, strict JSON decoding and microversion negotiation.
//
// A service describes its API as a []Route and mounts it with API.Mount. The
// wrapper authenticates the caller (unless the route is Public), enforces the
// route's policy rule against a target built from the request, calls the
// handler and, when it returns an error, writes it in the service's own error
// format through Faults.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/policy"
	"github.com/gostack/gostack/internal/platform/reqid"
)

// HandlerFunc is an HTTP handler that returns an error instead of writing it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Faults writes errors in one service's body format (Nova's
// {"itemNotFound": {...}}, Keystone's {"error": {...}}). The status and
// message come from the *apierr.Error in the handler's error; any other
// error is a 500 with a generic message (Write may put the service's own
// words in it), its text going only to the log. Write is not called for
// HEAD requests: their error answers are the status alone.
type Faults interface {
	Write(w http.ResponseWriter, r *http.Request, e *apierr.Error)
}

// internalError is the 500 for an error that is not an *apierr.Error.
func internalError(err error) *apierr.Error {
	return &apierr.Error{Code: http.StatusInternalServerError, Message: "An unexpected error prevented the server from fulfilling your request.", Err: err}
}

// mapError returns the *apierr.Error of err, or a 500.
func mapError(err error) *apierr.Error {
	if e, ok := apierr.As(err); ok {
		return e
	}
	return internalError(err)
}

// Route is one line of a service's route table.
type Route struct {
	Method  string
	Pattern string // http.ServeMux path pattern, e.g. "/v3/users/{user_id}"
	// Policy is the rule enforced before the handler runs. Every route that
	// needs a token names one (Mount refuses a table that does not); a
	// route that any authenticated caller may use, because the OpenStack
	// service has no rule for it, says AnyUser.
	Policy string
	// Public routes need no token (version documents, POST /v3/auth/tokens).
	Public bool
	// Target builds the policy target; nil gives the path values only.
	Target  func(r *http.Request) (map[string]any, error)
	Handler HandlerFunc
	// Versions is the microversion window; the zero value means any.
	Versions Window
	// Actions, on a POST .../action route, dispatch on the request body's
	// one top-level key ({"reboot": {...}}): each action names its own
	// policy rule, target, handler and window. The route's own Policy is
	// then checked before the action's (use AnyUser when there is none).
	Actions []Action
}

// Action is one action of a Route's Actions.
type Action struct {
	Name     string
	Policy   string
	Target   func(r *http.Request) (map[string]any, error)
	Handler  HandlerFunc
	Versions Window
}

// AnyUser is the Route.Policy of a route that every authenticated caller
// may use: OpenStack's service has no rule for it (Nova's flavor list,
// Keystone's token validation of one's own token).
const AnyUser = "@"

// MaxActionBody bounds the body an action route reads to dispatch.
const MaxActionBody = 1 << 20

// ActionName returns the action a request body names: its one top-level
// key, and the body itself (the handler reads it again from r.Body).
func ActionName(r *http.Request) (string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxActionBody+1))
	if err != nil {
		return "", apierr.BadRequest("Malformed request body")
	}
	if len(body) > MaxActionBody {
		return "", apierr.TooLarge("Request is too large.")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return "", apierr.BadRequest("Malformed request body")
	}
	if len(top) != 1 {
		return "", apierr.BadRequest("Malformed request body: too many body keys")
	}
	for k := range top {
		return k, nil
	}
	return "", apierr.BadRequest("Malformed request body")
}

// API mounts route tables for one service.
type API struct {
	Service string // service name for logs ("identity", "compute", ...)
	Faults  Faults
	Policy  *policy.Enforcer
	// Validator authenticates X-Auth-Token. Nil means every non-public route
	// answers 401.
	Validator auth.Validator
	// Microversion, when set, is negotiated on every request of the service.
	Microversion *Negotiator
	Log          *slog.Logger
	// AuthURL is sent in WWW-Authenticate on 401s.
	AuthURL string
	// PolicyMessage is the 403 message of a refused rule, with %s for the
	// rule's name; empty gives Keystone's wording.
	PolicyMessage string
	// NotAllowed, when set, words WithFallback's 405 of method as the
	// service does: the message and the Allow header, given ServeMux's
	// list (which names HEAD beside every GET). Nil keeps both generic.
	NotAllowed func(method, allow string) (msg, newAllow string)
}

// Mount registers routes on mux. It panics on a route that needs a token
// and names no policy rule: every such route says which rule guards it, so
// that an operator's policy file governs the whole API.
func (a *API) Mount(mux *http.ServeMux, routes []Route) {
	if err := CheckPolicies(routes); err != nil {
		panic(err)
	}
	// Routes sharing a pattern but differing in microversion window are
	// grouped behind one ServeMux entry.
	type key struct{ method, pattern string }
	groups := map[key][]Route{}
	var order []key
	for _, rt := range routes {
		k := key{rt.Method, rt.Pattern}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], rt)
	}
	for _, k := range order {
		rs := groups[k]
		pat := k.pattern
		if k.method != "" {
			pat = k.method + " " + k.pattern
		}
		mux.Handle(pat, a.handler(rs))
	}
}

// CheckPolicies reports the first route (or action) that needs a token and
// names no policy rule.
func CheckPolicies(routes []Route) error {
	for _, rt := range routes {
		if rt.Public {
			continue
		}
		if rt.Policy == "" {
			return fmt.Errorf("httpapi: route %s %s needs a token but names no policy rule", rt.Method, rt.Pattern)
		}
		for _, a := range rt.Actions {
			if a.Policy == "" {
				return fmt.Errorf("httpapi: action %q of %s %s names no policy rule", a.Name, rt.Method, rt.Pattern)
			}
		}
	}
	return nil
}

// Handler wraps a single HandlerFunc with the error, request-id and logging
// behaviour of the API, without auth or policy. For endpoints mounted
// outside route tables.
func (a *API) Handler(h HandlerFunc) http.Handler {
	return a.handler([]Route{{Public: true, Handler: h}})
}

type ctxKey int

const (
	versionKey ctxKey = iota
)

// RequestID returns the request id of the request being served.
func RequestID(ctx context.Context) string { return reqid.Local(ctx) }

// NewRequestID returns a fresh OpenStack-style request id.
func NewRequestID() string { return reqid.New() }

// StatusWriter remembers what a handler answered, for the access log of
// whatever wraps it (the API's handlers, the dashboard's): the status and
// how many body bytes went out. It passes flushes on and lets
// http.ResponseController reach the connection under it.
type StatusWriter struct {
	http.ResponseWriter
	// Status is 0 until the handler writes the header or the body.
	Status int
	Bytes  int64
}

func (w *StatusWriter) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.Bytes += int64(n)
	return n, err
}

func (w *StatusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (a *API) handler(routes []Route) http.Handler {
	log := a.Log
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rid := NewRequestID()
		w := &StatusWriter{ResponseWriter: rw}
		w.Header().Set(reqid.Header, rid)
		// As oslo.middleware: the id a caller sends is the request's
		// global id, logged beside this service's own and sent on to the
		// services this request calls; the answer carries our own.
		global := r.Header.Get(reqid.Header)
		if !reqid.Valid(global) {
			global = ""
		}
		ctx := reqid.With(r.Context(), rid, global)
		r = r.WithContext(ctx)

		// Every line of this request names the service and both ids,
		// whether or not the logger adds them from the context.
		ids := append([]any{"service", a.Service}, reqid.Args(ctx)...)
		ids = ids[:len(ids):len(ids)]
		err := a.serve(w, r, routes)
		if err != nil {
			e := mapError(err)
			if m, ok := a.Faults.(interface{ Map(error) *apierr.Error }); ok {
				// Transitional: a service that still maps its own errors.
				if me := m.Map(err); me != nil {
					e = me
				}
			}
			if e.Code == http.StatusUnauthorized && a.AuthURL != "" && w.Header().Get("WWW-Authenticate") == "" {
				w.Header().Set("WWW-Authenticate", fmt.Sprintf("Keystone uri=%q", a.AuthURL))
			}
			for k, vs := range e.Header {
				for _, v := range vs {
					w.Header().Add(k, v)
				}
			}
			switch {
			case w.Status != 0:
				// The handler had begun its answer: too late for an error body.
			case r.Method == http.MethodHead:
				// A HEAD answer has no body, whatever the service's format.
				w.WriteHeader(e.Code)
			default:
				a.Faults.Write(w, r, e)
			}
			if e.Code >= 500 {
				log.ErrorContext(ctx, "request failed", append(ids, "method", r.Method, "path", r.URL.Path, "status", e.Code, "err", e.Error())...)
			} else if e.Err != nil {
				log.DebugContext(ctx, "request refused", append(ids, "status", e.Code, "err", e.Err.Error())...)
			}
		}
		status := w.Status
		if status == 0 {
			status = http.StatusOK
		}
		// Never log the query string wholesale: it can carry secrets (S3
		// presigned URLs). Path only.
		log.InfoContext(ctx, "request", append(ids, "method", r.Method, "path", r.URL.Path,
			"status", status, "bytes", w.Bytes, "ms", float64(time.Since(start).Microseconds())/1000)...)
	})
}

func (a *API) serve(w http.ResponseWriter, r *http.Request, routes []Route) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			err = &apierr.Error{Code: http.StatusInternalServerError, Message: "An unexpected error prevented the server from fulfilling your request.", Err: fmt.Errorf("panic: %v", p)}
		}
	}()

	rt := routes[0]
	if a.Microversion != nil {
		v, err := a.Microversion.Negotiate(w, r)
		if err != nil {
			return err
		}
		r = r.WithContext(context.WithValue(r.Context(), versionKey, v))
		found := false
		for _, c := range routes {
			if c.Versions.Contains(v) {
				rt, found = c, true
				break
			}
		}
		if !found {
			return &apierr.Error{Code: http.StatusNotFound, Message: "The resource could not be found."}
		}
	}
	if !rt.Public {
		creds, err := a.authenticate(r)
		if err != nil {
			return err
		}
		r = r.WithContext(auth.WithCredentials(r.Context(), creds))
		if rt.Policy != "" && rt.Policy != AnyUser {
			if err := a.Authorize(r, rt.Policy, rt.Target); err != nil {
				return err
			}
		}
	}
	if len(rt.Actions) > 0 {
		return a.serveAction(w, r, rt)
	}
	return rt.Handler(w, r)
}

// serveAction dispatches an action route on the body's top-level key.
// An action the table does not have (or not at the request's version) goes
// to the route's own Handler, which answers as the service does for an
// unknown action.
func (a *API) serveAction(w http.ResponseWriter, r *http.Request, rt Route) error {
	name, err := ActionName(r)
	if err != nil {
		return err
	}
	v := VersionFrom(r.Context())
	for _, act := range rt.Actions {
		if act.Name != name || (a.Microversion != nil && !act.Versions.Contains(v)) {
			continue
		}
		if act.Policy != AnyUser {
			if err := a.Authorize(r, act.Policy, act.Target); err != nil {
				return err
			}
		}
		return act.Handler(w, r)
	}
	if rt.Handler == nil {
		return apierr.BadRequest("There is no such action: %s", name)
	}
	return rt.Handler(w, r)
}

// ErrUnauthorized is returned (wrapped in an *apierr.Error by Faults.Map) when a
// request carries no valid token.
var ErrUnauthorized = errors.New("the request you have made requires authentication")

func (a *API) authenticate(r *http.Request) (*auth.Credentials, error) {
	tok := r.Header.Get("X-Auth-Token")
	if tok == "" || a.Validator == nil {
		return nil, &apierr.Error{Code: http.StatusUnauthorized, Message: "The request you have made requires authentication."}
	}
	creds, err := a.Validator.Validate(r.Context(), tok)
	if err != nil {
		var he *apierr.Error
		if errors.As(err, &he) {
			return nil, he
		}
		if errors.Is(err, auth.ErrInvalidToken) {
			return nil, &apierr.Error{Code: http.StatusUnauthorized, Message: "The request you have made requires authentication.", Err: err}
		}
		return nil, err
	}
	return creds, nil
}

// Authorize enforces rule against the credentials in r's context and a
// target built by target (or from the path values when target is nil).
// It answers 403, or 401 when the request is not authenticated.
func (a *API) Authorize(r *http.Request, rule string, target func(*http.Request) (map[string]any, error)) error {
	creds, ok := auth.FromContext(r.Context())
	if !ok {
		return &apierr.Error{Code: http.StatusUnauthorized, Message: "The request you have made requires authentication."}
	}
	var t map[string]any
	if target != nil {
		var err error
		if t, err = target(r); err != nil {
			return err
		}
	}
	if t == nil {
		t = map[string]any{}
	}
	if a.Policy == nil {
		return &apierr.Error{Code: http.StatusForbidden, Message: "no policy enforcer configured"}
	}
	if !a.Policy.Enforce(rule, t, creds.PolicyValues()) {
		msg := a.PolicyMessage
		if msg == "" {
			msg = "You are not authorized to perform the requested action: %s."
		}
		return &apierr.Error{Code: http.StatusForbidden, Message: fmt.Sprintf(msg, rule)}
	}
	return nil
}

// PathTarget is a Route.Target that exposes every {name} path value of the
// pattern as target[name].
func PathTarget(names ...string) func(r *http.Request) (map[string]any, error) {
	return func(r *http.Request) (map[string]any, error) {
		t := make(map[string]any, len(names))
		for _, n := range names {
			t[n] = r.PathValue(n)
		}
		return t, nil
	}
}

// BaseURL returns scheme://host of the request, as the client addressed it.
func BaseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = strings.ToLower(p)
	}
	return scheme + "://" + r.Host
}
