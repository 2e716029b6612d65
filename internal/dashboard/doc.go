// Package dashboard is gostack's Horizon: a single-page web app served
// from the binary, and the small server that signs its users in and
// forwards its calls to the public OpenStack APIs with the user's own
// token — no private back door, so each API's policy applies.
//
//	browser ──POST /auth/login {domain, user, password}──▶ api
//	api ──password (unscoped), GET /v3/auth/projects, token (scoped)──▶ Keystone
//	api ──Set-Cookie: gostack_session=<opaque id>──▶ browser
//	browser ──/api/compute/servers/detail + cookie (+ X-CSRF-Token)──▶ api
//	api ──X-Auth-Token: the session's token──▶ the catalog's compute endpoint
//
// The token never reaches the browser: the session, held here in memory,
// keeps it with its expiry, the user's projects and the catalog; the
// cookie carries only the session's random id. This package holds the
// sessions and the embedded app; api/ serves HTTP, keystone/ talks to
// identity, spec/ plugs the dashboard into the cloud.
package dashboard
