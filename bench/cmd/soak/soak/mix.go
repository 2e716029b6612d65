package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gostack/gostack/bench/cmd/soak/target"
	"github.com/gostack/gostack/tests/acceptance/launch"
	"github.com/gostack/gostack/tests/acceptance/storm"
)

const (
	// opTimeout bounds a wait (for ACTIVE, for a deletion) and the retries
	// of a delete, counted from the later of its start and the last
	// restart: an outage does not eat into it.
	opTimeout = 2 * time.Minute
	// poll is the interval of the waits, as a client polling a server.
	poll = 250 * time.Millisecond
	// maxKept is how many servers a worker keeps alive at once, so that
	// the end state has servers (and allocations) to check.
	maxKept = 3
)

// step is one kind of iteration of the mix, with its weight.
type step struct {
	name   string
	weight int
	run    func(w *worker, ctx context.Context)
}

// mix is the load: a weighted choice per iteration, after the mix that
// found the defects of issue #19.
func mix() []step {
	return []step{
		{"server", 25, (*worker).serverCycle},
		{"token", 10, (*worker).tokenCycle},
		{"server.list", 12, func(w *worker, ctx context.Context) {
			w.do(ctx, "server.list", w.p.api, "GET", "compute", "/servers/detail?limit=50", nil, nil, storm.Microversion)
		}},
		{"flavor.list", 8, func(w *worker, ctx context.Context) {
			w.do(ctx, "flavor.list", w.p.api, "GET", "compute", "/flavors/detail", nil, nil, storm.Microversion)
		}},
		{"image.list", 10, func(w *worker, ctx context.Context) {
			w.do(ctx, "image.list", w.p.api, "GET", "image", "/v2/images?limit=50", nil, nil)
		}},
		{"image", 10, (*worker).imageCycle},
		{"keypair", 10, (*worker).keypairCycle},
		{"placement.candidates", 15, func(w *worker, ctx context.Context) {
			w.do(ctx, "placement.candidates", w.f.admin, "GET", "placement",
				"/allocation_candidates?resources=VCPU:1,MEMORY_MB:128,DISK_GB:1&limit=10", nil, nil, placementVersion)
		}},
	}
}

// worker is one client of the soak, acting as its project's member user
// (and as admin for Placement, whose API is admin-only).
type worker struct {
	id   int
	f    *fixture
	p    *project
	hc   *http.Client
	rec  *recorder
	led  *ledger
	proc *target.Process
	rng  *rand.Rand
	seq  int
	kept []string // servers it keeps alive, oldest first
}

// run draws steps from the mix until the time is up; the step under way
// then runs to its end, so that nothing the worker started is left
// half done by the soak itself.
func (w *worker) run(ctx context.Context, until time.Time) {
	steps := mix()
	total := 0
	for _, s := range steps {
		total += s.weight
	}
	for time.Now().Before(until) && ctx.Err() == nil {
		n := w.rng.IntN(total)
		for _, s := range steps {
			if n < s.weight {
				s.run(w, ctx)
				break
			}
			n -= s.weight
		}
		// While the process is down every call fails at once; pausing
		// keeps the failing loop from spinning.
		if w.proc.Down() {
			sleep(ctx, poll)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// deadline is when a wait or retry loop started at t0 gives up.
func (w *worker) deadline(t0 time.Time) time.Time {
	start := t0
	if up := w.proc.UpSince(); up.After(start) {
		start = up
	}
	return start.Add(opTimeout)
}

func (w *worker) name(kind string) string {
	w.seq++
	return fmt.Sprintf("soak-%s-%d-%d", kind, w.id, w.seq)
}

// do sends one request as op and records its outcome.
func (w *worker) do(ctx context.Context, op string, a *launch.API, method, service, path string, in, out any, headers ...string) (int, error) {
	t0 := time.Now()
	st, err := a.Do(ctx, method, service, path, in, out, headers...)
	if err != nil {
		w.rec.fail(op, t0, st, err)
	} else {
		w.rec.ok(op, t0)
	}
	return st, err
}

// unanswered reports whether a failed call may have taken effect: no
// answer came, or a 5xx that may have come after the work was done.
func unanswered(status int) bool { return status == 0 || status >= 500 }

// remove deletes path until a delete is accepted, retrying while the
// answer is lost or an error; a 404 after a lost answer means the lost
// attempt worked. It reports whether the delete was accepted.
func (w *worker) remove(ctx context.Context, op string, a *launch.API, service, path string, headers ...string) bool {
	t0 := time.Now()
	lost := false
	for {
		st, err := w.do(ctx, op, a, "DELETE", service, path, nil, nil, headers...)
		switch {
		case err == nil:
			return true
		case st == http.StatusNotFound && lost:
			return true
		case st == http.StatusNotFound:
			return false
		}
		lost = lost || unanswered(st)
		if ctx.Err() != nil || time.Now().After(w.deadline(t0)) {
			return false
		}
		sleep(ctx, poll)
	}
}

// server is a server as the worker sees it.
type server struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Task   string `json:"OS-EXT-STS:task_state"`
	Fault  struct {
		Message string `json:"message"`
	} `json:"fault"`
}

// serverCycle creates a server, waits for ACTIVE, and deletes it and
// waits until it is gone, or keeps it for a later iteration, which then
// deletes the oldest one it kept.
func (w *worker) serverCycle(ctx context.Context) {
	if len(w.kept) >= maxKept || (len(w.kept) > 0 && w.rng.IntN(5) == 0) {
		id := w.kept[0]
		w.kept = w.kept[1:]
		w.deleteServer(ctx, id)
		return
	}
	name := w.name("vm")
	fl := w.f.flavors[w.rng.IntN(len(w.f.flavors))]
	var out struct {
		Server struct {
			ID string `json:"id"`
		} `json:"server"`
	}
	st, err := w.do(ctx, "server.create", w.p.api, "POST", "compute", "/servers", map[string]any{"server": map[string]any{
		"name": name, "imageRef": w.f.imageID, "flavorRef": fl.id, "networks": "none"}}, &out, storm.Microversion)
	if err != nil {
		if unanswered(st) {
			w.led.lost(kindServer, name)
		}
		return
	}
	id := out.Server.ID
	w.led.created(kindServer, id, name, w.p.id)
	if !w.waitActive(ctx, id) {
		w.deleteServer(ctx, id)
		return
	}
	if w.rng.IntN(10) < 3 {
		w.kept = append(w.kept, id)
		return
	}
	w.deleteServer(ctx, id)
}

// showServer reads a server; found is false on a 404.
func (w *worker) showServer(ctx context.Context, id string) (s server, found bool, err error) {
	var out struct {
		Server server `json:"server"`
	}
	t0 := time.Now()
	st, err := w.p.api.Do(ctx, "GET", "compute", "/servers/"+id, nil, &out, storm.Microversion)
	if st == http.StatusNotFound {
		w.rec.ok("server.show", t0)
		return s, false, nil
	}
	if err != nil {
		w.rec.fail("server.show", t0, st, err)
		return s, true, err
	}
	w.rec.ok("server.show", t0)
	return out.Server, true, nil
}

// waitActive polls until the server is ACTIVE, recording the wait as
// server.boot; ERROR, disappearance or the deadline fail it.
func (w *worker) waitActive(ctx context.Context, id string) bool {
	t0 := time.Now()
	for {
		s, found, err := w.showServer(ctx, id)
		switch {
		case err != nil:
		case !found:
			w.rec.fail("server.boot", t0, http.StatusNotFound, fmt.Errorf("accepted server %s vanished while building", id))
			return false
		case s.Status == "ACTIVE":
			w.rec.ok("server.boot", t0)
			return true
		case s.Status == "ERROR":
			w.rec.fail("server.boot", t0, 0, fmt.Errorf("server %s went to ERROR: %s", id, s.Fault.Message))
			return false
		}
		if ctx.Err() != nil || time.Now().After(w.deadline(t0)) {
			w.rec.fail("server.boot", t0, 0, fmt.Errorf("server %s not ACTIVE within %s (last: %s/%s, %v)", id, opTimeout, s.Status, s.Task, err))
			return false
		}
		sleep(ctx, poll)
	}
}

// deleteServer deletes a server and waits until it is gone, recording the
// wait as server.gone; a server that goes to ERROR instead fails it.
func (w *worker) deleteServer(ctx context.Context, id string) {
	if !w.remove(ctx, "server.delete", w.p.api, "compute", "/servers/"+id, storm.Microversion) {
		return
	}
	w.led.deleted(kindServer, id)
	t0 := time.Now()
	for {
		s, found, err := w.showServer(ctx, id)
		switch {
		case err != nil:
		case !found || s.Status == "DELETED":
			w.rec.ok("server.gone", t0)
			return
		case s.Status == "ERROR":
			w.rec.fail("server.gone", t0, 0, fmt.Errorf("server %s went to ERROR after its delete was accepted: %s", id, s.Fault.Message))
			return
		}
		if ctx.Err() != nil || time.Now().After(w.deadline(t0)) {
			w.rec.fail("server.gone", t0, 0, fmt.Errorf("server %s still there %s after its delete was accepted (last: %s/%s, %v)", id, opTimeout, s.Status, s.Task, err))
			return
		}
		sleep(ctx, poll)
	}
}

// tokenCycle issues a token with the user's password and validates it.
func (w *worker) tokenCycle(ctx context.Context) {
	t0 := time.Now()
	tok, st, err := issueToken(ctx, w.hc, w.f.authURL, w.p.userName, w.p.password, w.p.name)
	if err != nil {
		w.rec.fail("token.issue", t0, st, err)
		return
	}
	w.rec.ok("token.issue", t0)
	a := &launch.API{HTTP: w.hc, Token: tok, ProjectID: w.p.id, URLs: w.p.api.URLs}
	w.do(ctx, "token.validate", a, "GET", "identity", "/auth/tokens", nil, nil, "X-Subject-Token: "+tok)
}

// issueToken is POST /v3/auth/tokens with a password, scoped to a project
// of the Default domain.
func issueToken(ctx context.Context, hc *http.Client, authURL, user, password, project string) (string, int, error) {
	body, _ := json.Marshal(map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{
			"user": map[string]any{"name": user, "domain": map[string]any{"id": "default"}, "password": password}}},
		"scope": map[string]any{"project": map[string]any{"name": project, "domain": map[string]any{"id": "default"}}},
	}})
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimSuffix(authURL, "/")+"/auth/tokens", bytes.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return "", resp.StatusCode, fmt.Errorf("POST /auth/tokens: %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
	}
	return resp.Header.Get("X-Subject-Token"), resp.StatusCode, nil
}

// imageCycle creates an image, uploads a small payload and deletes it.
func (w *worker) imageCycle(ctx context.Context) {
	name := w.name("img")
	var img struct {
		ID string `json:"id"`
	}
	st, err := w.do(ctx, "image.create", w.p.api, "POST", "image", "/v2/images", map[string]any{
		"name": name, "disk_format": "raw", "container_format": "bare"}, &img)
	if err != nil {
		if unanswered(st) {
			w.led.lost(kindImage, name)
		}
		return
	}
	w.led.created(kindImage, img.ID, name, w.p.id)
	w.do(ctx, "image.upload", w.p.api, "PUT", "image", "/v2/images/"+img.ID+"/file",
		bytes.NewReader(make([]byte, 64<<10)), nil, "Content-Type: application/octet-stream")
	if w.remove(ctx, "image.delete", w.p.api, "image", "/v2/images/"+img.ID) {
		w.led.deleted(kindImage, img.ID)
	}
}

// keypairCycle imports a keypair, lists the user's keypairs and deletes it.
func (w *worker) keypairCycle(ctx context.Context) {
	name := w.name("kp")
	st, err := w.do(ctx, "keypair.create", w.p.api, "POST", "compute", "/os-keypairs", map[string]any{"keypair": map[string]any{
		"name": name, "public_key": w.f.pubKey}}, nil, storm.Microversion)
	if err != nil {
		if unanswered(st) {
			w.led.lost(kindKeypair, name)
		}
		return
	}
	w.led.created(kindKeypair, w.p.userID+"/"+name, name, w.p.userID)
	w.do(ctx, "keypair.list", w.p.api, "GET", "compute", "/os-keypairs", nil, nil, storm.Microversion)
	if w.remove(ctx, "keypair.delete", w.p.api, "compute", "/os-keypairs/"+url.PathEscape(name), storm.Microversion) {
		w.led.deleted(kindKeypair, w.p.userID+"/"+name)
	}
}
