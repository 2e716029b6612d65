package quotas

import (
	"net/http"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
)

// Container is Swift's container_quotas middleware.
type Container struct {
	next  http.Handler
	cache *infoCache
}

// NewContainer returns the container quota middleware in front of next.
func NewContainer(next http.Handler, cfg Config) *Container {
	cfg.defaults()
	return &Container{next: next, cache: newCache(next, cfg)}
}

func (c *Container) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := middleware.SplitPath(r.URL.Path)
	if !ok || p.Container == "" {
		c.next.ServeHTTP(w, r)
		return
	}
	if p.Object == "" {
		if r.Method == http.MethodPut || r.Method == http.MethodPost {
			if v := r.Header.Get("X-Container-Meta-Quota-Bytes"); v != "" && !digits(v) {
				middleware.Error(w, r, http.StatusBadRequest, "Invalid bytes quota.")
				return
			}
			if v := r.Header.Get("X-Container-Meta-Quota-Count"); v != "" && !digits(v) {
				middleware.Error(w, r, http.StatusBadRequest, "Invalid count quota.")
				return
			}
			c.cache.forget(p.ContainerPath())
		}
		c.next.ServeHTTP(w, r)
		return
	}
	u, ok := uploadOf(r, c.next, p)
	if !ok {
		c.next.ServeHTTP(w, r)
		return
	}
	i := c.cache.get(r, u.container, func(h http.Header) info {
		qb, qc := int64(-1), int64(-1)
		if v := h.Get("X-Container-Meta-Quota-Bytes"); digits(v) {
			qb = num(v, -1)
		}
		if v := h.Get("X-Container-Meta-Quota-Count"); digits(v) {
			qc = num(v, -1)
		}
		return info{
			bytes: num(h.Get("X-Container-Bytes-Used"), 0), count: num(h.Get("X-Container-Object-Count"), 0),
			quotaBytes: qb, quotaCount: qc,
		}
	})
	if i.ok && ((i.quotaBytes >= 0 && i.quotaBytes < i.bytes+u.size) ||
		(i.quotaCount >= 0 && i.quotaCount < i.count+1)) {
		exceeded(w, r)
		return
	}
	c.next.ServeHTTP(w, r)
}
