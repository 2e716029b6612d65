package proxy

import (
	"math/big"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/proxy/backend"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Expiring objects: the hidden account that queues them and how its
// containers are named (Swift's expirer defaults).
const (
	ExpiringAccount         = ".expiring_objects"
	ExpirerDivisor          = 86400
	expirerContainersPerDay = 100
)

// ContentTypeOverridden is the request header by which a middleware
// inside the pipeline lets an object PUT carry swift_* Content-Type
// parameters; the Edge drops it from client requests (it is an
// X-Backend- header).
const ContentTypeOverridden = "X-Backend-Content-Type-Overridden"

// serveObject is Swift's ObjectController.
func (q *request) serveObject() {
	if !q.methodAllowed(objectMethods) {
		return
	}
	if q.r.Method == http.MethodOptions {
		q.options(objectMethods)
		return
	}
	// Every object method may be granted by the container's ACL (Swift's
	// delay_denial), so a first denial is kept for later.
	_, denial := q.preAuthorize()
	if q.r.Method == http.MethodPut {
		if inm, ok := q.r.Header["If-None-Match"]; ok && strings.TrimSpace(strings.Join(inm, ",")) != "*" {
			q.w.Header().Set("Content-Type", "text/plain")
			q.fail(http.StatusBadRequest, "If-None-Match only supports *")
			return
		}
	}
	ci := q.containerInfo(q.account, q.container)
	if ci.Status >= 500 {
		q.fail(http.StatusServiceUnavailable, "")
		return
	}
	aclValue := ci.get("X-Container-Write")
	if q.r.Method == http.MethodGet || q.r.Method == http.MethodHead {
		aclValue = ci.get("X-Container-Read")
	}
	if !q.authorized {
		if !q.authorizeACL(aclValue) {
			return
		}
	}
	_ = denial
	switch q.r.Method {
	case http.MethodGet, http.MethodHead:
		q.objectGet()
		return
	}
	if !ci.exists() {
		q.fail(http.StatusNotFound, "")
		return
	}
	switch q.r.Method {
	case http.MethodPut:
		q.objectPut(ci)
	case http.MethodPost:
		q.objectPost(ci)
	case http.MethodDelete:
		q.objectDelete(ci)
	}
}

// objectHeaders are the headers an object request sends to its nodes:
// all of the client's (Swift passes them as "additional"), the proxy's
// own, and the policy.
func (q *request) objectHeaders() http.Header {
	h := make(http.Header, len(q.r.Header)+8)
	for k, v := range q.r.Header {
		switch k {
		case "X-Auth-Token", "X-Storage-Token", "Connection", "Keep-Alive", "Transfer-Encoding", "Expect", "Te", "Upgrade", "Proxy-Connection":
			continue
		}
		h[k] = v
	}
	h.Set("X-Trans-Id", q.transID)
	h.Set("Referer", q.r.Method+" "+q.r.URL.String())
	h.Set("X-Backend-Storage-Policy-Index", strconv.Itoa(policyIndex))
	return h
}

// objectGet reads the object from the first node that has it.
func (q *request) objectGet() {
	r := q.p.object.Ring()
	part := r.Part(q.hashPath(q.account, q.container, q.object))
	h := q.objectHeaders()
	res := q.p.be.Get(q.ctx, r, part, backend.Object, q.r.Method, entityPath(q.account, q.container, q.object), q.r.URL.RawQuery, h, swift.TrueValue(q.r.Header.Get("X-Newest")))
	if res.Source != nil {
		defer res.Source.Body.Close()
		if ct := res.Source.Header.Get("Content-Type"); strings.Contains(ct, ";") {
			res.Source.Header.Set("Content-Type", cleanContentType(ct))
		}
		q.stream(res.Source)
		return
	}
	q.writeResponse(q.best(res.Failures, 0, nil, "Object "+q.r.Method))
}

// cleanContentType drops the swift_bytes parameter Swift keeps in
// listings of large objects (clean_content_type).
func cleanContentType(v string) string {
	if i := strings.LastIndex(v, ";"); i >= 0 {
		if strings.HasPrefix(strings.TrimSpace(v[i+1:]), "swift_bytes=") {
			return v[:i]
		}
	}
	return v
}

// objectPut stores the object on its nodes.
func (q *request) objectPut(ci *entityInfo) {
	now, _ := swift.ParseTimestamp(q.r.Header.Get("X-Timestamp"))
	q.updateContentType()
	if err := swift.CheckObjectCreation(q.r, q.object, swift.FromTime(q.now())); err != nil {
		q.failErr(err)
		return
	}
	// A middleware that sets swift_* parameters itself (versioning's
	// delete marker, SLO's swift_bytes) says so with this header, which a
	// client cannot send (Swift's swift.content_type_overridden).
	overridden := swift.TrueValue(q.r.Header.Get(ContentTypeOverridden))
	q.r.Header.Del(ContentTypeOverridden)
	if ct := q.r.Header.Get("Content-Type"); strings.Contains(ct, ";") && !overridden {
		for _, param := range strings.Split(ct, ";")[1:] {
			if strings.HasPrefix(strings.TrimLeft(param, " \t"), "swift_") {
				q.w.Header().Set("Content-Type", "text/plain")
				q.fail(http.StatusBadRequest, "Invalid Content-Type, swift_* is not a valid parameter name.")
				return
			}
		}
	}
	r := q.p.object.Ring()
	part := r.Part(q.hashPath(q.account, q.container, q.object))
	nodes := r.Nodes(part)
	if len(nodes) == 0 {
		q.fail(http.StatusNotFound, "")
		return
	}
	hdrs := q.objectUpdateHeaders(ci, len(nodes))
	length := q.r.ContentLength
	if length < 0 || q.r.Header.Get("Content-Length") == "" && len(q.r.TransferEncoding) > 0 {
		length = -1
	}
	for _, h := range hdrs {
		if length >= 0 {
			h.Set("Content-Length", strconv.FormatInt(length, 10))
		} else {
			h.Del("Content-Length")
		}
	}
	resps, err := q.p.be.Put(q.ctx, backend.PutRequest{
		Ring: r, Part: part, Path: entityPath(q.account, q.container, q.object),
		Headers: hdrs, Body: q.r.Body, Length: length, MaxSize: swift.MaxFileSize,
		IfNoneMatch: q.r.Header.Get("If-None-Match") != "",
	})
	if err != nil {
		q.failErr(err)
		return
	}
	etags := map[string]bool{}
	for _, rr := range resps {
		if rr.Status >= 200 && rr.Status < 300 {
			etags[strings.Trim(rr.Header.Get("Etag"), `"`)] = true
		}
	}
	if len(etags) > 1 {
		q.p.log.Error("object servers returned mismatched etags", "count", len(etags), "txn", q.transID)
		q.fail(http.StatusInternalServerError, "")
		return
	}
	b := q.best(resps, 0, nil, "Object PUT")
	for e := range etags {
		b.Header = b.Header.Clone()
		b.Header.Set("Etag", e)
	}
	q.w.Header().Set("Last-Modified", now.HTTPDate())
	q.writeResponse(b)
}

// updateContentType guesses a missing Content-Type from the object name,
// or on X-Detect-Content-Type (Swift's _update_content_type).
func (q *request) updateContentType() {
	detect := swift.TrueValue(q.r.Header.Get("X-Detect-Content-Type"))
	if detect || q.r.Header.Get("Content-Type") == "" {
		ct := mime.TypeByExtension(path.Ext(q.object))
		if ct == "" {
			ct = "application/octet-stream"
		} else {
			// Python's mimetypes gives the bare type; Go adds a charset
			// for text types.
			ct, _, _ = strings.Cut(ct, ";")
		}
		q.r.Header.Set("Content-Type", ct)
		q.r.Header.Del("X-Detect-Content-Type")
	}
}

// objectUpdateHeaders returns the headers for each of n object nodes: the
// container node each one updates and, for X-Delete-At, the expirer queue
// container node (Swift's _backend_requests).
func (q *request) objectUpdateHeaders(ci *entityInfo, n int) []http.Header {
	cr := q.p.container.Ring()
	cpart := cr.Part(q.hashPath(q.account, q.container, ""))
	cnodes := cr.Nodes(cpart)
	hdrs := make([]http.Header, n)
	base := q.objectHeaders()
	for i := range hdrs {
		hdrs[i] = base.Clone()
	}
	var (
		dac     string
		dapart  int
		danodes []backend.Node
	)
	if at := q.r.Header.Get("X-Delete-At"); at != "" && q.r.Method != http.MethodDelete {
		sec, _ := strconv.ParseInt(at, 10, 64)
		dac = q.expirerContainer(sec)
		dapart = cr.Part(q.hashPath(ExpiringAccount, dac, ""))
		danodes = cr.Nodes(dapart)
		q.ensureQueue(dac)
	}
	if len(cnodes) == 0 {
		return hdrs
	}
	cq := backend.QuorumSize(len(cnodes))
	oq := backend.QuorumSize(n)
	// Enough updates that a quorum of object writes reaches a quorum of
	// container replicas (Swift's num_container_updates).
	needed := max(cq+n-oq, len(cnodes))
	for i := 0; i < needed; i++ {
		idx := i % n
		cn := cnodes[i%len(cnodes)]
		h := hdrs[idx]
		h.Set("X-Container-Partition", strconv.Itoa(cpart))
		h.Set("X-Container-Host", csvAppend(h.Get("X-Container-Host"), hostPort(cn)))
		h.Set("X-Container-Device", csvAppend(h.Get("X-Container-Device"), cn.Device))
		h.Set("X-Container-Root-Db-State", "unsharded")
		if len(danodes) > 0 {
			// Reversed, so that the queue updates spread over the nodes.
			dh := hdrs[n-1-idx]
			dn := danodes[i%len(danodes)]
			dh.Set("X-Delete-At-Container", dac)
			dh.Set("X-Delete-At-Partition", strconv.Itoa(dapart))
			dh.Set("X-Delete-At-Host", csvAppend(dh.Get("X-Delete-At-Host"), hostPort(dn)))
			dh.Set("X-Delete-At-Device", csvAppend(dh.Get("X-Delete-At-Device"), dn.Device))
		}
	}
	for i, h := range hdrs {
		if h.Get("X-Backend-Clean-Expiring-Object-Queue") == "" {
			v := "f"
			if i < 2 {
				v = "t"
			}
			h.Set("X-Backend-Clean-Expiring-Object-Queue", v)
		}
	}
	return hdrs
}

// expirerContainer is the queue container of an object expiring at sec:
// the day's container, shifted back by a hash of the name so that a day's
// work spreads over 100 containers (Swift's get_expirer_container).
func (q *request) expirerContainer(sec int64) string {
	return ExpirerContainer(q.p.cfg.HashPrefix, q.p.cfg.HashSuffix, sec, q.account, q.container, q.object)
}

// ExpirerContainer is Swift's get_expirer_container.
func ExpirerContainer(prefix, suffix string, sec int64, a, c, o string) string {
	h, _ := new(big.Int).SetString(swift.HashPath(prefix, suffix, a, c, o), 16)
	shard := new(big.Int).Mod(h, big.NewInt(expirerContainersPerDay)).Int64()
	return swift.NormalizeDeleteAt(float64(sec/ExpirerDivisor*ExpirerDivisor - shard))
}

// objectPost replaces the object's metadata on its nodes.
func (q *request) objectPost(ci *entityInfo) {
	if err := swift.CheckMetadata(q.r.Header, swift.KindObject); err != nil {
		q.failErr(err)
		return
	}
	if err := swift.CheckDeleteHeaders(q.r.Header, swift.FromTime(q.now())); err != nil {
		q.failErr(err)
		return
	}
	r := q.p.object.Ring()
	part := r.Part(q.hashPath(q.account, q.container, q.object))
	hdrs := q.objectUpdateHeaders(ci, len(r.Nodes(part)))
	resps := q.p.be.Quorum(q.ctx, r, part, http.MethodPost, entityPath(q.account, q.container, q.object), "", hdrs, nil)
	q.writeResponse(q.best(resps, 0, nil, "Object POST"))
}

// objectDelete deletes the object on its nodes; a node without it counts
// as done once no quorum agrees otherwise.
func (q *request) objectDelete(ci *entityInfo) {
	r := q.p.object.Ring()
	part := r.Part(q.hashPath(q.account, q.container, q.object))
	hdrs := q.objectUpdateHeaders(ci, len(r.Nodes(part)))
	resps := q.p.be.Quorum(q.ctx, r, part, http.MethodDelete, entityPath(q.account, q.container, q.object), "", hdrs, nil)
	q.writeResponse(q.best(resps, 0, map[int]int{http.StatusNotFound: http.StatusNoContent}, "Object DELETE"))
}

// ensureQueue makes sure the expirer's queue container exists and is
// listed in the hidden account. Swift leaves this to the container
// servers (which create it on the first queued row) and the
// container-updater (which later reports it to the account); this
// cluster has no container-updater, so the proxy creates the container
// through the normal path once per process and day container.
func (q *request) ensureQueue(container string) {
	if _, done := q.p.queues.Load(container); done {
		return
	}
	if !q.accountInfo(ExpiringAccount).exists() && !q.autocreateAccount(ExpiringAccount) {
		return
	}
	sub := &request{p: q.p, r: q.r, ctx: q.ctx, account: ExpiringAccount, container: container, transID: q.transID}
	h := http.Header{"X-Backend-Storage-Policy-Index": {strconv.Itoa(policyIndex)}}
	resps := sub.containerWriteHeaders(http.MethodPut, h, false)
	if b, ok := backend.Best(resps, 0, nil); ok && b.Status/100 == 2 {
		q.p.queues.Store(container, true)
	}
}
