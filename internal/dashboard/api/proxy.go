package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/gostack/gostack/internal/platform/httpapi"
)

// forward sends /api/<type>/<path> to that service's public endpoint in
// the session's catalog with the session's token, streaming both bodies
// (an image upload of gigabytes is never held in memory). The service's
// own policy decides: a member's call to an admin API gets the API's 403.
func (s *Server) forward(w http.ResponseWriter, r *http.Request) error {
	_, sess, err := s.current(w, r)
	if err != nil {
		return err
	}
	if err := checkCSRF(r, &sess); err != nil {
		return err
	}
	// The escaped path keeps an object name's %2F and the like as sent.
	rest := strings.TrimPrefix(r.URL.EscapedPath(), "/api/")
	typ, path, _ := strings.Cut(rest, "/")
	if unescaped, err := url.PathUnescape(typ); err == nil {
		typ = unescaped
	}
	base, ok := sess.Endpoint(typ, "public", s.cfg.Region)
	if !ok || typ == s.cfg.Self {
		return errf(http.StatusNotFound, "No %q service in the catalog.", typ)
	}
	target, err := url.Parse(base)
	if err != nil {
		return errf(http.StatusBadGateway, "The catalog's %s endpoint %q is not a URL.", typ, base)
	}
	if path != "" {
		target.RawPath = strings.TrimSuffix(target.EscapedPath(), "/") + "/" + path
		p, err := url.PathUnescape(target.RawPath)
		if err != nil {
			return errf(http.StatusBadRequest, "The path is not validly escaped.")
		}
		target.Path = p
	}
	target.RawQuery = r.URL.RawQuery
	ctx := context.WithValue(r.Context(), upstreamKey{}, upstream{url: target, token: sess.Scoped.ID})
	s.rp.ServeHTTP(w, r.WithContext(ctx))
	return nil
}

type upstreamKey struct{}

// upstream is where forward sends a request, and with which token.
type upstream struct {
	url   *url.URL
	token string
}

// reverseProxy is the proxy forward hands requests to; the target and
// token travel in the request's context.
func (s *Server) reverseProxy() *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Transport: s.cfg.Client.Transport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			up := pr.In.Context().Value(upstreamKey{}).(upstream)
			pr.Out.URL = up.url
			pr.Out.Host = ""
			h := http.Header{}
			for name, vs := range pr.Out.Header {
				if forwardedRequestHeader(name) {
					h[name] = vs
				}
			}
			h.Set("X-Auth-Token", up.token)
			h.Set("User-Agent", "gostack-dashboard")
			pr.Out.Header = h
		},
		ModifyResponse: func(resp *http.Response) error {
			for _, name := range []string{"Set-Cookie", "X-Subject-Token", "Content-Security-Policy", "X-Frame-Options"} {
				resp.Header.Del(name)
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, context.Canceled) {
				// The browser went away; nobody reads this answer.
				w.WriteHeader(499)
				return
			}
			s.log.Warn("dashboard: proxy", "path", r.URL.Path, "err", err)
			writeError(w, http.StatusBadGateway, "The service could not be reached.")
		},
	}
}

// forwardedRequestHeader says which of the browser's headers reach the
// API: what the APIs read (content, conditions, microversions, Swift's
// metadata) and nothing that claims an identity (X-Auth-Token,
// X-Service-Token, Cookie, X-Forwarded-*, X-Roles …), which only the
// session's token may do.
func forwardedRequestHeader(name string) bool {
	switch name {
	case "Accept", "Accept-Language", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since",
		"Range", "If-Range", "Etag", "Destination", "Destination-Account",
		"X-Openstack-Nova-Api-Version", "Openstack-Api-Version", "X-Openstack-Request-Id",
		"X-Delete-At", "X-Delete-After", "X-Copy-From", "X-Copy-From-Account", "X-Fresh-Metadata",
		"X-Detect-Content-Type", "X-Symlink-Target", "X-Symlink-Target-Account", "X-Static-Large-Object",
		"X-Versions-Location", "X-History-Location", "X-Remove-Versions-Location", "X-Remove-History-Location",
		"X-Newest", "X-Image-Meta-Store":
		return true
	}
	for _, p := range []string{"Content-", "X-Object-", "X-Container-", "X-Account-", "X-Remove-Object-", "X-Remove-Container-", "X-Remove-Account-"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// endpointJSON is one entry of GET /api/_endpoints.
type endpointJSON struct {
	Type      string `json:"type"`
	Name      string `json:"name"`
	Interface string `json:"interface"`
	Region    string `json:"region"`
	URL       string `json:"url"`
}

// endpoints lists the session's catalog, for the API access page.
func (s *Server) endpoints(w http.ResponseWriter, r *http.Request) error {
	_, sess, err := s.current(w, r)
	if err != nil {
		return err
	}
	out := []endpointJSON{}
	for _, e := range sess.Scoped.Catalog {
		if e.Type == s.cfg.Self {
			continue
		}
		out = append(out, endpointJSON{Type: e.Type, Name: e.Name, Interface: e.Interface, Region: e.Region, URL: e.URL})
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpapi.WriteJSON(w, http.StatusOK, out)
}
