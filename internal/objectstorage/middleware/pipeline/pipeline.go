// Package pipeline assembles Swift's middlewares in the order of
// Swift's proxy-server.conf, for the proxy to wrap around its App:
//
//	Edge (trans-id, gatekeeper, token → caller)
//	  → Outer: healthcheck, bulk, tempurl, ratelimit, crossdomain,
//	           formpost, staticweb
//	  → copy (the proxy's server-side copy)
//	  → Inner: container quotas, account quotas, slo, dlo
//	  → App
//
// Inner sits under copy so that a copy reads a large object through SLO
// and DLO and is held to the quotas, as in Swift.
package pipeline

import (
	"net/http"

	"github.com/gostack/gostack/internal/objectstorage/middleware/bulk"
	"github.com/gostack/gostack/internal/objectstorage/middleware/crossdomain"
	"github.com/gostack/gostack/internal/objectstorage/middleware/dlo"
	"github.com/gostack/gostack/internal/objectstorage/middleware/formpost"
	"github.com/gostack/gostack/internal/objectstorage/middleware/healthcheck"
	"github.com/gostack/gostack/internal/objectstorage/middleware/quotas"
	"github.com/gostack/gostack/internal/objectstorage/middleware/ratelimit"
	"github.com/gostack/gostack/internal/objectstorage/middleware/slo"
	"github.com/gostack/gostack/internal/objectstorage/middleware/staticweb"
	"github.com/gostack/gostack/internal/objectstorage/middleware/tempurl"
)

// Config holds each middleware's configuration; the zero value is
// DevStack's pipeline with Swift's defaults (rate limits off).
type Config struct {
	Healthcheck healthcheck.Config
	Bulk        bulk.Config
	TempURL     tempurl.Config
	RateLimit   ratelimit.Config
	CrossDomain crossdomain.Config
	FormPost    formpost.Config
	StaticWeb   staticweb.Config
	Quotas      quotas.Config
	SLO         slo.Config
}

// Outer returns the middlewares that run before server-side copy.
func (c Config) Outer(next http.Handler) http.Handler {
	h := next
	h = staticweb.New(h, c.StaticWeb)
	h = formpost.New(h, c.FormPost)
	h = crossdomain.New(h, c.CrossDomain)
	h = ratelimit.New(h, c.RateLimit)
	h = tempurl.New(h, c.TempURL)
	h = bulk.New(h, c.Bulk)
	h = healthcheck.New(h, c.Healthcheck)
	return h
}

// Inner returns the middlewares that run between server-side copy and
// the proxy's App.
func (c Config) Inner(app http.Handler) http.Handler {
	h := app
	h = dlo.New(h)
	h = slo.New(h, c.SLO)
	h = quotas.NewAccount(h, c.Quotas)
	h = quotas.NewContainer(h, c.Quotas)
	return h
}

// Info returns the /info sections of the middlewares, by name, for the
// proxy's Register.
func (c Config) Info() map[string]any {
	return map[string]any{
		"bulk_upload":      c.Bulk.UploadInfo(),
		"bulk_delete":      c.Bulk.DeleteInfo(),
		"tempurl":          c.TempURL.Info(),
		"ratelimit":        c.RateLimit.Info(),
		"crossdomain":      c.CrossDomain.Info(),
		"formpost":         c.FormPost.Info(),
		"staticweb":        c.StaticWeb.Info(),
		"account_quotas":   c.Quotas.AccountInfo(),
		"container_quotas": c.Quotas.ContainerInfo(),
		"slo":              c.SLO.Info(),
	}
}
