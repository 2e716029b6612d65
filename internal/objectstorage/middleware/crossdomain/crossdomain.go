// Package crossdomain is Swift's crossdomain middleware: GET
// /crossdomain.xml returns the cross-domain policy document that Flash,
// Java and Silverlight clients fetch before talking to the API.
package crossdomain

import (
	"net/http"
	"strconv"
)

// Config configures the middleware.
type Config struct {
	// Policy is the policy's body, the <allow-access-from .../> elements
	// (default: any domain, secure="false", as Swift).
	Policy string
}

// Info is the /info section "crossdomain": it has no settings.
func (Config) Info() map[string]any { return map[string]any{} }

// New returns the crossdomain middleware in front of next.
func New(next http.Handler, cfg Config) http.Handler {
	if cfg.Policy == "" {
		cfg.Policy = `<allow-access-from domain="*" secure="false" />`
	}
	body := []byte(`<?xml version="1.0"?>` + "\n" +
		`<!DOCTYPE cross-domain-policy SYSTEM "http://www.adobe.com/xml/dtds/cross-domain-policy.dtd" >` + "\n" +
		"<cross-domain-policy>\n" + cfg.Policy + "\n</cross-domain-policy>")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/crossdomain.xml" || r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
}
