package dhcp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"sync/atomic"

	"github.com/gostack/gostack/internal/network/agent/state"
)

// Headers of Neutron's metadata proxy, which Nova's metadata API trusts
// when the signature checks out.
const (
	hdrInstanceID = "X-Instance-ID"
	hdrTenantID   = "X-Tenant-ID"
	hdrSignature  = "X-Instance-ID-Signature"
	hdrForwarded  = "X-Forwarded-For"
)

type leaseKey struct{}

// newProxy is the metadata proxy of one network: it finds the asking
// instance by the request's source address among the network's leases
// and forwards the request to Nova's metadata API with the instance's
// signed id (neutron.agent.metadata.agent.MetadataProxyHandler).
func newProxy(cfg Config, tbl *atomic.Pointer[table], log *slog.Logger) (http.Handler, error) {
	target, err := url.Parse(cfg.MetadataURL)
	if err != nil || target.Scheme == "" || target.Host == "" {
		return nil, fmt.Errorf("metadata URL %q is not an absolute URL", cfg.MetadataURL)
	}
	var transport http.RoundTripper = http.DefaultTransport
	if cfg.HTTPClient != nil && cfg.HTTPClient.Transport != nil {
		transport = cfg.HTTPClient.Transport
	}
	secret := cfg.MetadataSecret
	rp := &httputil.ReverseProxy{
		Transport: transport,
		ErrorLog:  slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// Rewrite has already dropped the client's X-Forwarded-* headers.
		Rewrite: func(pr *httputil.ProxyRequest) {
			l := pr.In.Context().Value(leaseKey{}).(state.Lease)
			pr.SetURL(target)
			h := pr.Out.Header
			// A guest must not name another instance.
			h.Del(hdrInstanceID)
			h.Del(hdrTenantID)
			h.Del(hdrSignature)
			h.Set(hdrForwarded, l.IP.String())
			h.Set(hdrInstanceID, l.DeviceID)
			h.Set(hdrTenantID, l.ProjectID)
			h.Set(hdrSignature, sign(secret, l.DeviceID))
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			log.Error("dhcp: metadata proxy: Nova's metadata API", "path", r.URL.Path, "err", err)
			textError(w, http.StatusInternalServerError, "An unknown error has occurred. Please try your request again.")
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ap, err := netip.ParseAddrPort(r.RemoteAddr)
		var l state.Lease
		ok := false
		if err == nil {
			l, ok = tbl.Load().byIP[ap.Addr().Unmap()]
		}
		if !ok || l.DeviceID == "" {
			// Neutron's proxy answers 404 for an address no instance port
			// on the network holds.
			log.Debug("dhcp: metadata request from an unknown address", "remote", r.RemoteAddr)
			textError(w, http.StatusNotFound, "The resource could not be found.")
			return
		}
		rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), leaseKey{}, l)))
	}), nil
}

// sign is the X-Instance-ID-Signature: the hex HMAC-SHA256 of the
// instance id keyed with the shared secret's text, as Nova checks it.
func sign(secret, instanceID string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(instanceID))
	return hex.EncodeToString(mac.Sum(nil))
}

// textError writes WebOb's plain-text error page, as Neutron's proxy
// answers.
func textError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(code)
	fmt.Fprintf(w, "%d %s\n\n%s\n\n   ", code, http.StatusText(code), msg)
}
