package proxy

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/proxy/acl"
	"github.com/gostack/gostack/internal/objectstorage/proxy/backend"
	"github.com/gostack/gostack/internal/objectstorage/proxy/info"
	"github.com/gostack/gostack/internal/objectstorage/swift"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// Storage policies: this cluster has Swift's single default policy.
const (
	policyName  = info.PolicyName
	policyIndex = 0
)

// containerPassThrough are the container headers a client sets that are
// not metadata (Swift's pass_through_headers).
var containerPassThrough = []string{"X-Container-Read", "X-Container-Write", "X-Container-Sync-Key", "X-Container-Sync-To", "X-Versions-Location"}

// containerRemove are the X-Remove-* headers that clear them.
var containerRemove = []string{"X-Remove-Container-Read", "X-Remove-Container-Write", "X-Remove-Versions-Location", "X-Remove-Container-Sync-Key", "X-Remove-Container-Sync-To"}

// serveContainer is Swift's ContainerController.
func (q *request) serveContainer() {
	if !q.methodAllowed(containerMethods) {
		return
	}
	if q.r.Method == http.MethodOptions {
		q.options(containerMethods)
		return
	}
	ok, denial := q.preAuthorize()
	// GET and HEAD may still be granted by the container's read ACL
	// (Swift's delay_denial); writes to a container are the owner's.
	if !ok && q.r.Method != http.MethodGet && q.r.Method != http.MethodHead {
		q.fail(denial, "")
		return
	}
	switch q.r.Method {
	case http.MethodGet, http.MethodHead:
		q.containerGet(denial)
	case http.MethodPut:
		q.containerPut()
	case http.MethodPost:
		q.containerPost()
	case http.MethodDelete:
		q.containerDelete()
	}
}

// containerGet reads the container (a listing for GET).
func (q *request) containerGet(denial int) {
	ai := q.accountInfo(q.account)
	if !ai.exists() && !strings.HasPrefix(q.account, swift.AutoCreateAccountPrefix) {
		if !q.authorized {
			q.fail(denial, "")
			return
		}
		q.fail(http.StatusNotFound, "")
		return
	}
	r := q.p.container.Ring()
	part := r.Part(q.hashPath(q.account, q.container, ""))
	h := q.backendHeaders(swift.KindContainer, false, nil, nil)
	copyAcceptHeaders(h, q.r.Header)
	res := q.p.be.Get(q.ctx, r, part, backend.Container, q.r.Method, entityPath(q.account, q.container, ""), q.r.URL.RawQuery, h, swift.TrueValue(q.r.Header.Get("X-Newest")))
	if res.Source != nil {
		defer res.Source.Body.Close()
		q.p.cache.put(cacheKey(q.account, q.container), &entityInfo{Status: res.Source.StatusCode, Header: res.Source.Header.Clone()})
		if !q.authorizeACL(res.Source.Header.Get("X-Container-Read")) {
			return
		}
		if !q.owner {
			stripOwnerHeaders(res.Source.Header)
		}
		setPolicyName(res.Source.Header)
		q.stream(res.Source)
		return
	}
	b := q.best(res.Failures, 0, nil, "Container "+q.r.Method)
	if !q.authorizeACL("") {
		return
	}
	if b.Status >= 200 && b.Status < 300 {
		setPolicyName(b.Header)
	}
	q.writeResponse(b)
}

// setPolicyName names the storage policy of a container for clients.
func setPolicyName(h http.Header) {
	if v := h.Get("X-Backend-Storage-Policy-Index"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n == policyIndex {
			h.Set("X-Storage-Policy", policyName)
		}
	}
}

// checkContainerWrite holds the checks of a container PUT or POST: clean
// ACLs and metadata limits; non-owners cannot set owner headers.
func (q *request) checkContainerWrite() bool {
	for _, k := range []string{"X-Container-Read", "X-Container-Write"} {
		if v, ok := q.r.Header[k]; ok {
			clean, err := acl.Clean(k, strings.Join(v, ","))
			if err != nil {
				q.fail(http.StatusBadRequest, err.Error())
				return false
			}
			q.r.Header.Set(k, clean)
		}
	}
	if err := swift.CheckMetadata(q.r.Header, swift.KindContainer); err != nil {
		q.failErr(err)
		return false
	}
	if !q.owner {
		for _, k := range ownerHeaders {
			q.r.Header.Del(k)
		}
	}
	return true
}

// containerPut creates the container on its nodes, creating the account
// first if needed (account_autocreate); each node is told which account
// node to update.
func (q *request) containerPut() {
	if !q.checkContainerWrite() {
		return
	}
	additional := http.Header{}
	if name := q.r.Header.Get("X-Storage-Policy"); name != "" {
		if !strings.EqualFold(name, policyName) {
			q.w.Header().Set("Content-Type", "text/plain")
			q.fail(http.StatusBadRequest, "Invalid X-Storage-Policy "+pyfmt.Quote(name))
			return
		}
		additional.Set("X-Backend-Storage-Policy-Index", strconv.Itoa(policyIndex))
	} else {
		additional.Set("X-Backend-Storage-Policy-Default", strconv.Itoa(policyIndex))
	}
	if err := swift.CheckContainerName(q.container); err != nil {
		q.failErr(err)
		return
	}
	ai := q.accountInfo(q.account)
	if !ai.exists() {
		if ai.Status >= 500 {
			q.fail(http.StatusServiceUnavailable, "")
			return
		}
		if !q.autocreateAccount(q.account) {
			q.fail(http.StatusServiceUnavailable, "")
			return
		}
	}
	resps := q.containerWrite(http.MethodPut, additional)
	q.clearInfo(q.account, q.container)
	q.clearInfo(q.account, "")
	q.writeResponse(q.best(resps, 0, nil, "Container PUT"))
}

// containerWrite sends a container PUT or DELETE to the container nodes,
// node i updating account node i (Swift's _backend_requests).
func (q *request) containerWrite(method string, additional http.Header) []backend.Response {
	return q.containerWriteHeaders(method, additional, method == http.MethodPut)
}

// containerWriteHeaders is containerWrite, transferring the client's
// headers or not.
func (q *request) containerWriteHeaders(method string, additional http.Header, transfer bool) []backend.Response {
	cr, ar := q.p.container.Ring(), q.p.account.Ring()
	part := cr.Part(q.hashPath(q.account, q.container, ""))
	n := len(cr.Nodes(part))
	apart := ar.Part(q.hashPath(q.account, "", ""))
	anodes := ar.Nodes(apart)
	hdrs := make([]http.Header, n)
	for i := range hdrs {
		h := q.backendHeaders(swift.KindContainer, transfer, containerPassThrough, containerRemove)
		for k, v := range additional {
			h[k] = v
		}
		hdrs[i] = h
	}
	for i, an := range anodes {
		h := hdrs[i%n]
		h.Set("X-Account-Partition", strconv.Itoa(apart))
		h.Set("X-Account-Host", csvAppend(h.Get("X-Account-Host"), hostPort(an)))
		h.Set("X-Account-Device", csvAppend(h.Get("X-Account-Device"), an.Device))
	}
	return q.p.be.Quorum(q.ctx, cr, part, method, entityPath(q.account, q.container, ""), "", hdrs, nil)
}

func csvAppend(list, v string) string {
	if list == "" {
		return v
	}
	return list + "," + v
}

func hostPort(n backend.Node) string {
	ip := n.IP
	if strings.Contains(ip, ":") {
		ip = "[" + ip + "]"
	}
	return ip + ":" + strconv.Itoa(n.Port)
}

// containerPost updates the container's metadata on its nodes.
func (q *request) containerPost() {
	if !q.checkContainerWrite() {
		return
	}
	if !q.accountInfo(q.account).exists() {
		q.fail(http.StatusNotFound, "")
		return
	}
	r := q.p.container.Ring()
	part := r.Part(q.hashPath(q.account, q.container, ""))
	h := q.backendHeaders(swift.KindContainer, true, containerPassThrough, containerRemove)
	q.clearInfo(q.account, q.container)
	resps := q.p.be.Quorum(q.ctx, r, part, http.MethodPost, entityPath(q.account, q.container, ""), "", repeat(h, len(r.Nodes(part))), nil)
	q.writeResponse(q.best(resps, 0, nil, "Container POST"))
}

// containerDelete deletes the container on its nodes; 409 while it
// holds objects.
func (q *request) containerDelete() {
	if !q.accountInfo(q.account).exists() {
		q.fail(http.StatusNotFound, "")
		return
	}
	resps := q.containerWrite(http.MethodDelete, nil)
	q.clearInfo(q.account, q.container)
	q.clearInfo(q.account, "")
	b := q.best(resps, 0, nil, "Container DELETE")
	if b.Status == http.StatusAccepted {
		// No server had the container.
		q.fail(http.StatusNotFound, "")
		return
	}
	q.writeResponse(b)
}
