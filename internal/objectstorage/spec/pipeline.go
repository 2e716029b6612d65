package spec

import (
	"net/http"

	"github.com/gostack/gostack/internal/identity/client"
	"github.com/gostack/gostack/internal/objectstorage/middleware/pipeline"
	"github.com/gostack/gostack/internal/objectstorage/proxy"
	"github.com/gostack/gostack/internal/objectstorage/proxy/copy"
	"github.com/gostack/gostack/internal/objectstorage/s3"
	"github.com/gostack/gostack/internal/objectstorage/s3/keystone"
	"github.com/gostack/gostack/internal/platform/service"
)

// chain is Swift's proxy pipeline over p, in proxy-server.conf's order
// (package pipeline): the public handler, and the inner part (server-side
// copy, quotas, SLO, DLO over the proxy's App) on which the S3 API makes
// its subrequests, as s3api sits before those in Swift's pipeline.
func chain(p *proxy.Proxy) (public, inner http.Handler) {
	var mw pipeline.Config // Swift's defaults; rate limits off as in DevStack
	inner = copy.New(mw.Inner(p.App()))
	for name, info := range mw.Info() {
		p.Register(name, info)
	}
	return p.Edge(mw.Outer(inner)), inner
}

// newVerifier checks S3 signatures through Keystone's /v3/s3tokens, as
// Swift's s3token middleware does, with identity's client (in-process in
// the all-in-one).
func newVerifier(env *service.Env) (s3.Verifier, error) {
	id, err := client.New(env.URLs["identity"], env.HTTPClient(), client.WithTokenFunc(env.ServiceToken))
	if err != nil {
		return nil, err
	}
	return &keystone.Verifier{Identity: id}, nil
}
