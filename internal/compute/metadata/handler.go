package metadata

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Lookup finds the instance a metadata request is about. The caller
// implements it over the compute store and the network ports; an error
// wrapping apierr.ErrNotFound means no instance answers to the address or
// id, which the handler answers with a 404.
type Lookup interface {
	// ByAddress is the instance with fixed IP ip.
	ByAddress(ctx context.Context, ip string) (Input, error)
	// ByInstanceID is the instance with uuid id.
	ByInstanceID(ctx context.Context, id string) (Input, error)
}

// Options configure the metadata API. The zero value serves requests by
// remote address only and answers 501 to a posted password.
type Options struct {
	// ProxySharedSecret is Neutron's metadata_proxy_shared_secret. When
	// set, a request carrying X-Instance-ID is identified by that header,
	// checked against X-Instance-ID-Signature (hex HMAC-SHA256 of the id)
	// and X-Tenant-ID. When empty those headers are ignored, as Nova does
	// without service_metadata_proxy: anyone could forge them.
	ProxySharedSecret string
	// TrustForwardedFor makes the first X-Forwarded-For address the
	// requester (Nova's use_forwarded_for), for a trusted proxy in front.
	TrustForwardedFor bool
	// Passwords stores the password a guest posts; nil answers 501.
	Passwords PasswordStore
	// DHCPDomain is appended to host names; Nova's default is
	// DefaultDHCPDomain. An Input's own DHCPDomain wins.
	DHCPDomain string
	// Now hides OpenStack versions newer than today from the listing;
	// time.Now when nil.
	Now func() time.Time
	// Log receives server errors and a debug line per request; none when
	// nil.
	Log *slog.Logger
}

// Handler serves Nova's metadata API (nova.api.metadata.handler): the EC2
// tree at /<version>/meta-data/… and /<version>/user-data, and the
// OpenStack tree at /openstack/<version>/…, about the instance that asks.
func Handler(lookup Lookup, opts Options) http.Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &handler{lookup: lookup, opts: opts}
}

type handler struct {
	lookup Lookup
	opts   Options
}

const (
	textPlain = "text/plain; charset=UTF-8"
	appJSON   = "application/json"
)

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h.serve(w, r)
	if err == nil {
		h.opts.Log.Debug("metadata", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		return
	}
	var he *apierr.Error
	if !errors.As(err, &he) {
		he = &apierr.Error{Code: http.StatusInternalServerError, Message: msgUnknown, Err: err}
	}
	if he.Code >= 500 {
		h.opts.Log.Error("metadata", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
	} else {
		h.opts.Log.Debug("metadata", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "status", he.Code, "err", err)
	}
	for k, vs := range he.Header {
		w.Header()[k] = vs
	}
	// WebOb's plain-text error page, which Nova's metadata API answers.
	w.Header().Set("Content-Type", textPlain)
	w.WriteHeader(he.Code)
	fmt.Fprintf(w, "%d %s\n\n%s\n\n   ", he.Code, http.StatusText(he.Code), he.Message)
}

// Nova's and WebOb's messages.
const (
	msgNotFound = "The resource could not be found."
	msgUnknown  = "An unknown error has occurred. Please try your request again."
)

func notFound(cause error) error {
	return &apierr.Error{Code: http.StatusNotFound, Message: msgNotFound, Err: cause}
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request) error {
	p := path.Clean("/" + r.URL.Path)
	if p == "/" {
		return write(w, textPlain, ec2Print(append(EC2Versions(), Latest)))
	}
	m, err := h.identify(r)
	if err != nil {
		return err
	}
	tokens := strings.Split(p[1:], "/")
	if tokens[0] != "ec2" && tokens[0] != "openstack" {
		tokens = append([]string{"ec2"}, tokens...)
	}
	if tokens[0] == "openstack" && len(tokens) == 3 && tokens[2] == "password" {
		return h.password(w, r, m, tokens[1])
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return &apierr.Error{
			Code:    http.StatusMethodNotAllowed,
			Message: "The method " + r.Method + " is not allowed for this resource.",
			Header:  http.Header{"Allow": {"GET, HEAD"}},
		}
	}
	if tokens[0] == "openstack" {
		return h.openstack(w, m, tokens[1:])
	}
	if len(tokens) == 1 {
		return write(w, textPlain, ec2Print(append(EC2Versions(), Latest)))
	}
	data, ok := m.ec2(tokens[1])
	if !ok {
		return notFound(fmt.Errorf("EC2 version %q", tokens[1]))
	}
	node, ok := ec2Find(data, tokens[2:])
	if !ok {
		return notFound(fmt.Errorf("no %s", p))
	}
	return write(w, textPlain, ec2Print(node))
}

// openstack serves /openstack/… (tokens after "openstack").
func (h *handler) openstack(w http.ResponseWriter, m *instanceMetadata, tokens []string) error {
	if len(tokens) == 0 {
		// Versions from the future are hidden, as in Nova.
		today := h.opts.Now().UTC().Format(time.DateOnly)
		var vs []string
		for _, v := range OpenStackVersions() {
			if v <= today {
				vs = append(vs, v)
			}
		}
		return write(w, textPlain, ec2Print(append(vs, Latest)))
	}
	if tokens[0] == "content" {
		if len(tokens) == 2 {
			for i, f := range m.in.Files {
				if contentKey(i) == tokens[1] {
					return write(w, textPlain, f.Contents)
				}
			}
		}
		return notFound(fmt.Errorf("no content %v", tokens))
	}
	v, ok := openStackVersion(tokens[0])
	if !ok {
		return notFound(fmt.Errorf("OpenStack version %q", tokens[0]))
	}
	if len(tokens) == 1 {
		return write(w, textPlain, ec2Print(m.versionListing(v)))
	}
	switch name := strings.Join(tokens[1:], "/"); {
	case name == "meta_data.json":
		return write(w, appJSON, mustJSON(m.metaData(v, false)))
	case name == "user_data" && m.userData != nil:
		return write(w, textPlain, m.userData)
	case name == "vendor_data.json" && atLeast(v, Havana):
		return write(w, appJSON, mustJSON(m.vendorData()))
	case name == "vendor_data2.json" && atLeast(v, NewtonTwo):
		return write(w, appJSON, mustJSON(m.vendorData2()))
	case name == "network_data.json":
		// Nova serves it for every version, though it lists it from
		// Liberty on.
		return write(w, textPlain, m.networkData())
	default:
		return notFound(fmt.Errorf("no %s in version %s", name, v))
	}
}

// password serves openstack/<version>/password: GET reads what the guest
// posted, POST posts it once (nova.api.metadata.password).
func (h *handler) password(w http.ResponseWriter, r *http.Request, m *instanceMetadata, version string) error {
	v, ok := openStackVersion(version)
	if !ok || !atLeast(v, Grizzly) {
		return notFound(fmt.Errorf("no password in version %q", version))
	}
	switch r.Method {
	case http.MethodGet:
		return write(w, textPlain, []byte(m.password))
	case http.MethodPost:
	default:
		return apierr.New(http.StatusBadRequest, "GET and POST only are supported.")
	}
	if m.password != "" {
		return apierr.New(http.StatusConflict, "There was a conflict when trying to complete your request.")
	}
	if r.ContentLength > MaxPasswordSize {
		return apierr.New(http.StatusBadRequest, "Request is too large.")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPasswordSize+1))
	if err != nil {
		return apierr.New(http.StatusBadRequest, "The server could not comply with the request since it is either malformed or otherwise incorrect.")
	}
	if len(body) > MaxPasswordSize {
		return apierr.New(http.StatusBadRequest, "Request is too large.")
	}
	if h.opts.Passwords == nil {
		return apierr.New(http.StatusNotImplemented, "Storing a password is not supported by this deployment.")
	}
	if err := h.opts.Passwords.SetPassword(r.Context(), m.inst.ID, string(body)); err != nil {
		if errors.Is(err, apierr.ErrNotFound) {
			return &apierr.Error{Code: http.StatusBadRequest, Message: fmt.Sprintf("Instance %s could not be found.", m.inst.ID), Err: err}
		}
		return err
	}
	w.Header().Set("Content-Type", textPlain)
	return nil
}

// identify finds the instance that asks: by the metadata proxy's signed
// X-Instance-ID when a shared secret is configured and the header is
// present, by the requester's address otherwise.
func (h *handler) identify(r *http.Request) (*instanceMetadata, error) {
	var (
		in   Input
		addr string
		err  error
	)
	if h.opts.ProxySharedSecret != "" && r.Header.Get("X-Instance-ID") != "" {
		in, addr, err = h.byProxyHeaders(r)
	} else {
		addr = h.remoteAddress(r)
		if addr == "" {
			return nil, notFound(errors.New("no remote address"))
		}
		in, err = h.lookup.ByAddress(r.Context(), addr)
		err = lookupError(err, "address "+addr)
	}
	if err != nil {
		return nil, err
	}
	// The admin password is for the config drive only.
	in.AdminPass = ""
	in.Address = addr
	if in.DHCPDomain == "" {
		in.DHCPDomain = h.opts.DHCPDomain
	}
	return newInstanceMetadata(in), nil
}

// byProxyHeaders is Nova's _handle_instance_id_request.
func (h *handler) byProxyHeaders(r *http.Request) (Input, string, error) {
	id := r.Header.Get("X-Instance-ID")
	tenant := r.Header.Get("X-Tenant-ID")
	sig := r.Header.Get("X-Instance-ID-Signature")
	var msg string
	switch {
	case sig == "":
		msg = "X-Instance-ID-Signature header is missing from request."
	case tenant == "":
		msg = "X-Tenant-ID header is missing from request."
	case len(r.Header.Values("X-Instance-ID")) > 1:
		msg = "Multiple X-Instance-ID headers found within request."
	case len(r.Header.Values("X-Tenant-ID")) > 1:
		msg = "Multiple X-Tenant-ID headers found within request."
	}
	if msg != "" {
		return Input{}, "", apierr.New(http.StatusBadRequest, "%s", msg)
	}
	if !hmac.Equal([]byte(Sign(h.opts.ProxySharedSecret, id)), []byte(sig)) {
		return Input{}, "", &apierr.Error{Code: http.StatusForbidden, Message: "Invalid proxy request signature.",
			Err: fmt.Errorf("bad X-Instance-ID-Signature for %s from %s", id, r.RemoteAddr)}
	}
	addr := firstForwarded(r.Header.Get("X-Forwarded-For"))
	in, err := h.lookup.ByInstanceID(r.Context(), id)
	if err = lookupError(err, "instance "+id); err != nil {
		return Input{}, "", err
	}
	if in.Instance.ProjectID != tenant {
		return Input{}, "", notFound(fmt.Errorf("X-Tenant-ID %s is not the project of instance %s", tenant, id))
	}
	return in, addr, nil
}

// Sign is the X-Instance-ID-Signature of instanceID: the hex HMAC-SHA256
// with the metadata proxy's shared secret.
func Sign(secret, instanceID string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(instanceID))
	return hex.EncodeToString(mac.Sum(nil))
}

func lookupError(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, apierr.ErrNotFound):
		return notFound(fmt.Errorf("metadata for %s: %w", what, err))
	default:
		return &apierr.Error{Code: http.StatusInternalServerError, Message: msgUnknown, Err: fmt.Errorf("metadata for %s: %w", what, err)}
	}
}

// remoteAddress is the requester's IP.
func (h *handler) remoteAddress(r *http.Request) string {
	if h.opts.TrustForwardedFor {
		if a := firstForwarded(r.Header.Get("X-Forwarded-For")); a != "" {
			return a
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func firstForwarded(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}

func write(w http.ResponseWriter, contentType string, body []byte) error {
	w.Header().Set("Content-Type", contentType)
	// A failed write means the client went away; nothing is left to tell
	// it.
	_, _ = w.Write(body)
	return nil
}
