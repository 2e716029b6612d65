// Package middleware holds what Swift's proxy middlewares share: splitting
// a /v1 path into its names, quoting names for subrequest paths, the
// summary body that bulk operations answer with (plain text, JSON or XML as
// the client's Accept asks), and the streaming of a large object's segments
// that SLO and DLO both need.
//
// Each middleware lives in its own sub-package and has the shape
// New(next http.Handler, cfg Config) http.Handler; subrequests go through
// next, so a middleware sees only what the ones after it in the pipeline
// do. Package pipeline assembles them in the order of Swift's
// proxy-server.conf, around the proxy's server-side copy:
//
//	healthcheck → bulk → tempurl → ratelimit → crossdomain → formpost →
//	staticweb → copy → container quotas → account quotas → slo → dlo →
//	proxy app
package middleware
