package objserver

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/objserver/diskfile"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Expiring objects: the object server queues an object with X-Delete-At
// in Swift's hidden account, one container per day (less a per-object
// shard of 100), for the expirer to find.
const (
	ExpiringAccount   = swift.AutoCreateAccountPrefix + "expiring_objects"
	expirerDivisor    = 86400
	expirerPerDivisor = 100
	emptyETag         = "d41d8cd98f00b204e9800998ecf8427e"
)

// ExpirerContainer is the task container of an object deleted at
// deleteAt (Swift's get_expirer_container).
func ExpirerContainer(hashPrefix, hashSuffix string, deleteAt int64, account, container, obj string) string {
	h, _ := new(big.Int).SetString(swift.HashPath(hashPrefix, hashSuffix, account, container, obj), 16)
	shard := new(big.Int).Mod(h, big.NewInt(expirerPerDivisor)).Int64()
	return normalizeDeleteAt(deleteAt/expirerDivisor*expirerDivisor - shard)
}

// TaskObject names an object's entry in the expirer queue.
func TaskObject(deleteAt int64, account, container, obj string) string {
	return normalizeDeleteAt(deleteAt) + "-" + account + "/" + container + "/" + obj
}

func normalizeDeleteAt(t int64) string {
	return fmt.Sprintf("%010d", min(max(t, 0), 9999999999))
}

// splitList splits a comma separated header into trimmed items.
func splitList(v string) []string {
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// commonHeaders are the headers of every update a request causes.
func (s *Server) commonHeaders(r *http.Request, out map[string]string) {
	tid := r.Header.Get("X-Trans-Id")
	if tid == "" {
		tid = "-"
	}
	out["X-Trans-Id"] = tid
	out["Referer"] = r.Method + " " + requestURL(r)
	out["User-Agent"] = s.userAgent
}

func requestURL(r *http.Request) string {
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return "http://" + host + r.URL.EscapedPath()
}

// containerUpdate tells the container servers the proxy named about a
// change (op PUT or DELETE), waiting at most ContainerUpdateTimeout; an
// update that fails is kept in async_pending for the updater.
func (s *Server) containerUpdate(r *http.Request, p objPath, op string, headers map[string]string) {
	hosts := splitList(r.Header.Get("X-Container-Host"))
	devices := splitList(r.Header.Get("X-Container-Device"))
	part := r.Header.Get("X-Container-Partition")
	if len(hosts) != len(devices) {
		s.log.Error("container update failed: different numbers of hosts and devices in request",
			"hosts", r.Header.Get("X-Container-Host"), "devices", r.Header.Get("X-Container-Device"))
		return
	}
	if part == "" {
		return
	}
	contPath := r.Header.Get("X-Backend-Quoted-Container-Path")
	if contPath != "" {
		if u, err := url.PathUnescape(contPath); err == nil {
			contPath = u
		}
	} else {
		contPath = r.Header.Get("X-Backend-Container-Path")
	}
	if contPath != "" {
		if a, c, ok := strings.Cut(contPath, "/"); !ok || a == "" || c == "" || strings.Contains(c, "/") {
			s.log.Error("invalid X-Backend-Container-Path, should be of the form 'account/container'", "path", contPath)
			contPath = ""
		}
	}
	s.commonHeaders(r, headers)
	headers["X-Backend-Storage-Policy-Index"] = fmt.Sprint(p.policy)
	// Each update runs on its own goroutine so that one that outlives the
	// timeout finishes (or goes to async_pending) after the answer; done
	// has room for all of them, so none blocks once nobody waits.
	done := make(chan struct{}, len(hosts))
	for i := range hosts {
		go func() {
			s.asyncUpdate(op, p.account, p.container, p.obj, hosts[i], part, devices[i], headers, p.device, p.policy, contPath)
			done <- struct{}{}
		}()
	}
	t := time.NewTimer(s.cfg.ContainerUpdateTimeout)
	defer t.Stop()
	for range hosts {
		select {
		case <-done:
		case <-t.C:
			s.log.Debug("container update timeout, answering before it ends", "timeout", s.cfg.ContainerUpdateTimeout)
			return
		}
	}
}

// asyncUpdate sends one container update, or saves it for the updater
// when it cannot be sent or fails. headers is shared and read-only.
func (s *Server) asyncUpdate(op, account, container, obj, host, part, device string, headers map[string]string, objDevice string, policy int, contPath string) {
	path := "/" + account + "/" + container + "/" + obj
	if contPath != "" {
		path = "/" + contPath + "/" + obj
	}
	if host != "" && part != "" && device != "" {
		err := s.sendUpdate(op, host, device, part, path, headers)
		if err == nil {
			return
		}
		s.log.Error("container update failed (saving for async update later)",
			"host", host, "device", device, "err", err)
	}
	ts := headers["X-Meta-Timestamp"]
	if ts == "" {
		ts = headers["X-Timestamp"]
	}
	t, err := swift.ParseTimestamp(ts)
	if err != nil {
		s.log.Error("cannot save async update without a timestamp", "path", path)
		return
	}
	upd := diskfile.AsyncUpdate{Op: op, Account: account, Container: container, Obj: obj, Headers: headers, ContainerPath: contPath}
	if err := s.disk.SaveAsync(objDevice, policy, upd, t); err != nil {
		s.log.Error("saving async update", "path", path, "err", err)
	}
}

// sendUpdate makes one update request to a container server.
func (s *Server) sendUpdate(op, host, device, part, path string, headers map[string]string) error {
	return SendUpdate(s.client, s.cfg.NodeTimeout, op, host, device, part, path, headers)
}

// SendUpdate sends op for path (/account/container/object) to the
// container server at host (ip:port) for device and partition, with
// headers. Any status but 2xx is an error. The updater shares it.
func SendUpdate(client *http.Client, timeout time.Duration, op, host, device, part, path string, headers map[string]string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	u := &url.URL{Scheme: "http", Host: host, Path: "/" + device + "/" + part + path}
	req, err := http.NewRequestWithContext(ctx, op, "http://"+host+"/", nil)
	if err != nil {
		return err
	}
	req.URL = u
	for k, v := range headers {
		req.Header[k] = []string{v}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%d response from %s/%s", resp.StatusCode, host, device)
	}
	return nil
}

// conditionalDeleteAtUpdate queues the object in the expirer queue for
// its new X-Delete-At and takes it out for the old one.
func (s *Server) conditionalDeleteAtUpdate(r *http.Request, p objPath, ts swift.Timestamp, md diskfile.Metadata, origDeleteAt, newDeleteAt int64) {
	if newDeleteAt != 0 {
		extra := map[string]string{
			"X-Content-Type":           "text/plain;swift_expirer_bytes=" + md["Content-Length"],
			"X-Content-Type-Timestamp": md["X-Timestamp"],
		}
		s.deleteAtUpdate(r, p, ts, http.MethodPut, newDeleteAt, extra)
	}
	if origDeleteAt != 0 && origDeleteAt != newDeleteAt {
		s.deleteAtUpdate(r, p, ts, http.MethodDelete, origDeleteAt, nil)
	}
}

// deleteAtUpdate adds (PUT) or removes (DELETE) the object's entry in
// the expirer queue, as Swift's delete_at_update: a PUT goes to the
// container servers the proxy named in X-Delete-At-*, a DELETE always
// through async_pending.
func (s *Server) deleteAtUpdate(r *http.Request, p objPath, ts swift.Timestamp, op string, deleteAt int64, extra map[string]string) {
	if swift.TrueValue(r.Header.Get("X-Backend-Replication")) {
		return
	}
	headers := map[string]string{
		"X-Backend-Storage-Policy-Index": "0", // system accounts are policy 0
		"X-Timestamp":                    ts.Internal(),
	}
	s.commonHeaders(r, headers)
	container := ExpirerContainer(s.cfg.HashPrefix, s.cfg.HashSuffix, deleteAt, p.account, p.container, p.obj)
	type target struct{ host, device string }
	var targets []target
	part := ""
	if op != http.MethodDelete {
		hostsV, ok := r.Header["X-Delete-At-Host"]
		if !ok {
			// Other object servers of this write make the update.
			return
		}
		if pc := r.Header.Get("X-Delete-At-Container"); pc != container {
			if pc == "" {
				s.log.Warn("X-Delete-At-Container header must be specified for expiring objects background " + op + " to work properly; making best guess as to the container name for now")
			} else {
				container = pc
			}
		}
		part = r.Header.Get("X-Delete-At-Partition")
		hosts := splitList(strings.Join(hostsV, ","))
		devices := splitList(r.Header.Get("X-Delete-At-Device"))
		for i := 0; i < len(hosts) && i < len(devices); i++ {
			if hosts[i] != "" && devices[i] != "" && part != "" {
				targets = append(targets, target{hosts[i], devices[i]})
			}
		}
		headers["X-Size"] = "0"
		headers["X-Content-Type"] = "text/plain"
		headers["X-Etag"] = emptyETag
		for k, v := range extra {
			headers[k] = v
		}
	} else if v, ok := r.Header["X-Backend-Clean-Expiring-Object-Queue"]; ok && !swift.TrueValue(v[0]) {
		return
	}
	if len(targets) == 0 {
		targets = []target{{}}
	}
	obj := TaskObject(deleteAt, p.account, p.container, p.obj)
	for _, t := range targets {
		s.asyncUpdate(op, ExpiringAccount, container, obj, t.host, part, t.device, headers, p.device, p.policy, "")
	}
}
