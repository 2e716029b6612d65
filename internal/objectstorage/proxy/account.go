package proxy

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/proxy/backend"
	"github.com/gostack/gostack/internal/objectstorage/proxy/listing"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// serveAccount is Swift's AccountController.
func (q *request) serveAccount() {
	if !q.methodAllowed(accountMethods) {
		return
	}
	if q.r.Method == http.MethodOptions {
		q.options(accountMethods)
		return
	}
	// Account requests never wait for an ACL: the denial is final.
	if ok, status := q.preAuthorize(); !ok {
		q.fail(status, "")
		return
	}
	if err := swift.CheckAccountName(q.account); err != nil {
		q.failErr(err)
		return
	}
	switch q.r.Method {
	case http.MethodGet, http.MethodHead:
		q.accountGet()
	case http.MethodPost:
		q.accountPost()
	}
}

// accountGet reads the account (a listing for GET) from the first node
// that has it; a missing account answers as an empty one
// (account_autocreate).
func (q *request) accountGet() {
	r := q.p.account.Ring()
	part := r.Part(q.hashPath(q.account, "", ""))
	h := q.backendHeaders(swift.KindAccount, false, nil, nil)
	copyAcceptHeaders(h, q.r.Header)
	res := q.p.be.Get(q.ctx, r, part, backend.Account, q.r.Method, entityPath(q.account, "", ""), q.r.URL.RawQuery, h, swift.TrueValue(q.r.Header.Get("X-Newest")))
	if res.Source != nil {
		defer res.Source.Body.Close()
		if !q.owner {
			stripOwnerHeaders(res.Source.Header)
		}
		q.p.cache.put(cacheKey(q.account, ""), &entityInfo{Status: res.Source.StatusCode, Header: res.Source.Header.Clone()})
		q.stream(res.Source)
		return
	}
	b := q.best(res.Failures, 0, nil, "Account "+q.r.Method)
	if b.Status == http.StatusNotFound {
		if strings.EqualFold(b.Header.Get("X-Account-Status"), "deleted") {
			q.fail(http.StatusGone, "")
			return
		}
		q.fakeAccountListing()
		return
	}
	q.writeResponse(b)
}

// copyAcceptHeaders passes the listing format negotiation to the servers.
func copyAcceptHeaders(dst, src http.Header) {
	if v, ok := src["Accept"]; ok {
		dst["Accept"] = v
	}
}

// fakeAccountListing answers for an account that does not exist yet as
// Swift's account_listing_response over an empty account.
func (q *request) fakeAccountListing() {
	ct, err := listing.ContentType(q.r)
	if err != nil {
		q.failErr(err)
		return
	}
	now := swift.FromTime(q.now()).Normal()
	h := q.w.Header()
	h.Set("X-Account-Container-Count", "0")
	h.Set("X-Account-Object-Count", "0")
	h.Set("X-Account-Bytes-Used", "0")
	h.Set("X-Timestamp", now)
	h.Set("X-Put-Timestamp", now)
	h.Set("Content-Type", ct+"; charset=utf-8")
	status, body := listing.EmptyAccount(ct, q.account)
	if status != http.StatusNoContent {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	q.w.WriteHeader(status)
	if q.r.Method != http.MethodHead {
		_, _ = q.w.Write([]byte(body))
	}
}

// accountPost updates the account's metadata on all its nodes, creating
// the account first when it does not exist (account_autocreate).
func (q *request) accountPost() {
	if err := swift.CheckMetadata(q.r.Header, swift.KindAccount); err != nil {
		q.failErr(err)
		return
	}
	if !q.owner {
		for _, k := range ownerHeaders {
			q.r.Header.Del(k)
		}
	}
	r := q.p.account.Ring()
	part := r.Part(q.hashPath(q.account, "", ""))
	h := q.backendHeaders(swift.KindAccount, true, nil, nil)
	q.clearInfo(q.account, "")
	path := entityPath(q.account, "", "")
	resps := q.p.be.Quorum(q.ctx, r, part, http.MethodPost, path, "", repeat(h, len(r.Nodes(part))), nil)
	b := q.best(resps, 0, nil, "Account POST")
	if b.Status == http.StatusNotFound {
		if !q.autocreateAccount(q.account) {
			q.fail(http.StatusServiceUnavailable, "")
			return
		}
		resps = q.p.be.Quorum(q.ctx, r, part, http.MethodPost, path, "", repeat(h, len(r.Nodes(part))), nil)
		b = q.best(resps, 0, nil, "Account POST")
	}
	q.writeResponse(b)
}

// autocreateAccount creates an account on its nodes (Swift's
// autocreate_account); it reports success.
func (q *request) autocreateAccount(account string) bool {
	r := q.p.account.Ring()
	part := r.Part(q.hashPath(account, "", ""))
	h := http.Header{
		"X-Timestamp":            {swift.FromTime(q.now()).Internal()},
		"X-Trans-Id":             {q.transID},
		"X-Openstack-Request-Id": {q.transID},
	}
	for k, v := range q.r.Header {
		if swift.IsSysMeta(swift.KindAccount, k) {
			h[k] = v
		}
	}
	resps := q.p.be.Quorum(q.ctx, r, part, http.MethodPut, entityPath(account, "", ""), "", repeat(h, len(r.Nodes(part))), nil)
	b := q.best(resps, 0, nil, "Account PUT")
	q.clearInfo(account, "")
	if b.Status >= 200 && b.Status < 300 {
		q.p.log.Info("autocreate account", "account", account)
		return true
	}
	q.p.log.Warn("could not autocreate account", "account", account, "statuses", backend.Statuses(resps))
	return false
}

// repeat returns n references to h (the requests do not modify them).
func repeat(h http.Header, n int) []http.Header {
	out := make([]http.Header, n)
	for i := range out {
		out[i] = h
	}
	return out
}

// hashPath is the ring hash of an entity.
func (q *request) hashPath(a, c, o string) string {
	return swift.HashPath(q.p.cfg.HashPrefix, q.p.cfg.HashSuffix, a, c, o)
}
