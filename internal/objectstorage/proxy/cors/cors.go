// Package cors is Swift's CORS support in the proxy: the answer to a
// preflight OPTIONS and the Access-Control headers of actual requests,
// both from the container's X-Container-Meta-Access-Control-Allow-Origin,
// -Max-Age and -Expose-Headers (strict_cors_mode).
package cors

import (
	"net/http"
	"slices"
	"sort"
	"strings"
)

// Rules are a container's CORS settings.
type Rules struct {
	AllowOrigin, MaxAge, ExposeHeaders string
}

// FromHeaders reads the rules from a container's headers.
func FromHeaders(h http.Header) Rules {
	if h == nil {
		return Rules{}
	}
	return Rules{
		AllowOrigin:   h.Get("X-Container-Meta-Access-Control-Allow-Origin"),
		MaxAge:        h.Get("X-Container-Meta-Access-Control-Max-Age"),
		ExposeHeaders: h.Get("X-Container-Meta-Access-Control-Expose-Headers"),
	}
}

// Allowed is Swift's is_origin_allowed over the space-separated origins.
func (c Rules) Allowed(origin string) bool {
	for _, a := range strings.Fields(c.AllowOrigin) {
		if a == "*" || a == origin {
			return true
		}
	}
	return false
}

// Preflight sets the headers of a preflight answer and returns its
// status: 200, or 401 when the origin or the method is not allowed.
func (c Rules) Preflight(h http.Header, r *http.Request, allowed []string) int {
	origin := r.Header.Get("Origin")
	if !c.Allowed(origin) || !slices.Contains(allowed, r.Header.Get("Access-Control-Request-Method")) {
		return http.StatusUnauthorized
	}
	if strings.TrimSpace(c.AllowOrigin) == "*" {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	h.Set("Vary", "Origin")
	if c.MaxAge != "" {
		h.Set("Access-Control-Max-Age", c.MaxAge)
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(allowed, ", "))
	if v := r.Header.Get("Access-Control-Request-Headers"); v != "" {
		h.Set("Access-Control-Allow-Headers", v)
	}
	return http.StatusOK
}

// exposed are the headers Swift always exposes to a CORS client.
var exposed = []string{"cache-control", "content-language", "content-type", "expires", "last-modified", "pragma", "etag", "x-timestamp", "x-trans-id", "x-openstack-request-id"}

// Writer adds the CORS headers of an allowed origin to an actual
// request's answer (Swift's cors_validation).
type Writer struct {
	http.ResponseWriter
	Rules  Rules
	Origin string
	done   bool
}

// WriteHeader adds the headers, then writes the status.
func (c *Writer) WriteHeader(status int) {
	if !c.done {
		c.done = true
		if c.Rules.Allowed(c.Origin) {
			c.add(c.Header())
		}
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *Writer) add(h http.Header) {
	if h.Get("Access-Control-Expose-Headers") == "" {
		set := map[string]bool{}
		for _, e := range exposed {
			set[e] = true
		}
		for k := range h {
			if strings.HasPrefix(k, "X-Container-Meta") || strings.HasPrefix(k, "X-Object-Meta") {
				set[strings.ToLower(k)] = true
			}
		}
		for _, e := range strings.Fields(c.Rules.ExposeHeaders) {
			set[strings.ToLower(e)] = true
		}
		list := make([]string, 0, len(set))
		for e := range set {
			list = append(list, e)
		}
		sort.Strings(list)
		h.Set("Access-Control-Expose-Headers", strings.Join(list, ", "))
	}
	if h.Get("Access-Control-Allow-Origin") == "" {
		if strings.TrimSpace(c.Rules.AllowOrigin) == "*" {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", c.Origin)
			if v := h.Get("Vary"); v != "" {
				h.Set("Vary", v+", Origin")
			} else {
				h.Set("Vary", "Origin")
			}
		}
	}
}

// Write writes the body (the status first if needed).
func (c *Writer) Write(b []byte) (int, error) {
	if !c.done {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(b)
}

// Flush passes a flush on.
func (c *Writer) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
