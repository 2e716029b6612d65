package spec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/gostack/gostack/internal/image/swiftstore"
	"github.com/gostack/gostack/internal/platform/service"
)

// newSwiftStore is the swift store in the service project's account,
// reached through the process's HTTP client with the service token.
func newSwiftStore(env *service.Env) (*swiftstore.Store, error) {
	tmpl := env.URLs["object-store"]
	if tmpl == "" {
		return nil, fmt.Errorf("image store swift: the cloud runs no object storage")
	}
	acct := &accountURL{env: env, tmpl: tmpl}
	c := env.Config.Image
	return swiftstore.New(swiftstore.Config{
		Client:          env.HTTPClient(),
		AccountURL:      acct.get,
		Token:           env.ServiceToken,
		Container:       c.SwiftContainer,
		LargeObjectSize: c.SwiftLargeObjectSize,
		ChunkSize:       c.SwiftChunkSize,
	})
}

// accountURL resolves the object-store catalog URL for the service
// project once, on first use: identity bootstraps the project after the
// services start, so it is not known when the store is built. Glance's
// single-tenant store keeps images in its service user's project alike.
type accountURL struct {
	env  *service.Env
	tmpl string

	mu  sync.Mutex
	url string
}

func (a *accountURL) get(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.url != "" {
		return a.url, nil
	}
	id := a.env.ServiceProject()
	if id == "" {
		return "", errors.New("the cloud is not bootstrapped yet: no service project")
	}
	a.url = strings.NewReplacer("$(project_id)s", id, "$(tenant_id)s", id).Replace(a.tmpl)
	return a.url, nil
}
