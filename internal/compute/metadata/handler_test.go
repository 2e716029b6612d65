package metadata

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// fakeLookup finds instances by address and id.
type fakeLookup struct {
	byAddr map[string]Input
	byID   map[string]Input
	err    error // returned for every lookup when set
}

func (f *fakeLookup) ByAddress(_ context.Context, ip string) (Input, error) {
	if f.err != nil {
		return Input{}, f.err
	}
	in, ok := f.byAddr[ip]
	if !ok {
		return Input{}, apierr.ErrNotFound
	}
	return in, nil
}

func (f *fakeLookup) ByInstanceID(_ context.Context, id string) (Input, error) {
	if f.err != nil {
		return Input{}, f.err
	}
	in, ok := f.byID[id]
	if !ok {
		return Input{}, apierr.ErrNotFound
	}
	return in, nil
}

// fakePasswords records posted passwords.
type fakePasswords struct{ got map[string]string }

func (f *fakePasswords) SetPassword(_ context.Context, id, pw string) error {
	f.got[id] = pw
	return nil
}

const (
	fullAddr    = "10.0.0.5"
	minimalAddr = "10.0.0.9"
	secret      = "s3cr3t"
)

func newLookup() *fakeLookup {
	full, minimal := fullInput(), minimalInput()
	full.FixedIPs = nil // local-ipv4 then comes from the requester
	withPW := minimalInput()
	withPW.Instance.ID = "with-password"
	withPW.Instance.SystemMetadata = PasswordMetadata("ENCRYPTED")
	return &fakeLookup{
		byAddr: map[string]Input{fullAddr: full, minimalAddr: minimal, "10.0.0.10": withPW},
		byID:   map[string]Input{full.Instance.ID: full, minimal.Instance.ID: minimal},
	}
}

func newHandler(l Lookup, opts Options) http.Handler {
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC) }
	}
	return Handler(l, opts)
}

type request struct {
	method, path, remote string
	header               map[string]string
	body                 string
}

func do(h http.Handler, rq request) *httptest.ResponseRecorder {
	if rq.method == "" {
		rq.method = http.MethodGet
	}
	r := httptest.NewRequest(rq.method, rq.path, strings.NewReader(rq.body))
	r.RemoteAddr = rq.remote + ":40000"
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

const notFoundBody = "404 Not Found\n\nThe resource could not be found.\n\n   "

func TestHandlerPaths(t *testing.T) {
	h := newHandler(newLookup(), Options{DHCPDomain: "example"})
	tests := []struct {
		path, remote string
		code         int
		ctype        string
		body         string
	}{
		{"/", "192.0.2.1", 200, textPlain, "1.0\n2007-01-19\n2007-03-01\n2007-08-29\n2007-10-10\n2007-12-15\n2008-02-01\n2008-09-01\n2009-04-04\nlatest"},
		{"/ec2", fullAddr, 200, textPlain, "1.0\n2007-01-19\n2007-03-01\n2007-08-29\n2007-10-10\n2007-12-15\n2008-02-01\n2008-09-01\n2009-04-04\nlatest"},
		// 2025-04-04 is in the future of the test clock.
		{"/openstack", fullAddr, 200, textPlain, "2012-08-10\n2013-04-04\n2013-10-17\n2015-10-15\n2016-06-30\n2016-10-06\n2017-02-22\n2018-08-27\n2020-10-14\nlatest"},
		{"/openstack/latest", fullAddr, 200, textPlain, "meta_data.json\nuser_data\npassword\nvendor_data.json\nnetwork_data.json\nvendor_data2.json"},
		{"/openstack/latest/", minimalAddr, 200, textPlain, "meta_data.json\npassword\nvendor_data.json\nnetwork_data.json\nvendor_data2.json"},
		{"/openstack/2012-08-10", fullAddr, 200, textPlain, "meta_data.json\nuser_data"},
		{"/openstack/latest/user_data", fullAddr, 200, textPlain, "#cloud-config\n"},
		{"/openstack/latest/user_data", minimalAddr, 404, textPlain, notFoundBody},
		{"/openstack/latest/vendor_data.json", fullAddr, 200, appJSON, `{"motd":"hi"}`},
		{"/openstack/latest/vendor_data2.json", minimalAddr, 200, appJSON, `{"static":{}}`},
		{"/openstack/2015-10-15/vendor_data2.json", fullAddr, 404, textPlain, notFoundBody},
		{"/openstack/2013-04-04/vendor_data.json", fullAddr, 404, textPlain, notFoundBody},
		{"/openstack/latest/network_data.json", minimalAddr, 200, textPlain, "{}"},
		{"/openstack/2012-08-10/password", fullAddr, 404, textPlain, notFoundBody},
		{"/openstack/latest/password", fullAddr, 200, textPlain, ""},
		{"/openstack/latest/password", "10.0.0.10", 200, textPlain, "ENCRYPTED"},
		{"/openstack/latest/nope", fullAddr, 404, textPlain, notFoundBody},
		{"/openstack/latest/meta_data.json/x", fullAddr, 404, textPlain, notFoundBody},
		{"/openstack/2011-01-01/meta_data.json", fullAddr, 404, textPlain, notFoundBody},
		{"/openstack/content/0000", fullAddr, 200, textPlain, "welcome\n"},
		{"/openstack/content/0001", fullAddr, 404, textPlain, notFoundBody},
		{"/openstack/content", fullAddr, 404, textPlain, notFoundBody},
		// EC2.
		{"/latest", fullAddr, 200, textPlain, "meta-data/\nuser-data"},
		{"/latest/", minimalAddr, 200, textPlain, "meta-data/"},
		{"/latest/meta-data/", fullAddr, 200, textPlain, strings.Join([]string{
			"ami-id", "ami-launch-index", "ami-manifest-path", "block-device-mapping/", "hostname",
			"instance-action", "instance-id", "instance-type", "kernel-id", "local-hostname", "local-ipv4",
			"placement/", "public-hostname", "public-ipv4", "public-keys/", "reservation-id", "security-groups"}, "\n")},
		{"/1.0/meta-data", fullAddr, 200, textPlain, strings.Join([]string{
			"ami-id", "ami-launch-index", "ami-manifest-path", "hostname", "instance-id", "local-ipv4",
			"public-keys/", "reservation-id", "security-groups"}, "\n")},
		{"/latest/meta-data/public-keys/", fullAddr, 200, textPlain, "0=mykey"},
		{"/latest/meta-data/public-keys/0/", fullAddr, 200, textPlain, "openssh-key"},
		{"/latest/meta-data/public-keys/0/openssh-key", fullAddr, 200, textPlain, "ssh-ed25519 AAAAC3Nza mykey"},
		{"/latest/meta-data/public-keys/0/_name", fullAddr, 404, textPlain, notFoundBody},
		{"/latest/meta-data/public-keys/", minimalAddr, 404, textPlain, notFoundBody},
		{"/2009-04-04/meta-data/instance-id", fullAddr, 200, textPlain, "i-0000002a"},
		{"/ec2/latest/meta-data/instance-type", fullAddr, 200, textPlain, "m1.small"},
		{"/latest/meta-data/hostname", fullAddr, 200, textPlain, "web-1.novalocal"}, // the Input's domain wins
		{"/latest/meta-data/hostname", minimalAddr, 200, textPlain, "bare.example"},
		{"/latest/meta-data/local-ipv4", fullAddr, 200, textPlain, fullAddr},
		{"/latest/meta-data/public-ipv4", fullAddr, 200, textPlain, "203.0.113.7"},
		{"/latest/meta-data/ami-id", minimalAddr, 200, textPlain, "None"},
		{"/latest/meta-data/ami-launch-index", fullAddr, 200, textPlain, "1"},
		{"/latest/meta-data/security-groups", fullAddr, 200, textPlain, "default\nweb"},
		{"/latest/meta-data/security-groups/web", fullAddr, 404, textPlain, notFoundBody},
		{"/latest/meta-data/placement/", fullAddr, 200, textPlain, "availability-zone"},
		{"/latest/meta-data/placement/availability-zone", fullAddr, 200, textPlain, "nova"},
		{"/latest/meta-data/block-device-mapping/", fullAddr, 200, textPlain, "ami\nebs0\nebs1\nephemeral0\nroot\nswap"},
		{"/latest/meta-data/block-device-mapping/root", fullAddr, 200, textPlain, "/dev/vda"},
		{"/latest/meta-data/hostname/x", fullAddr, 404, textPlain, notFoundBody},
		{"/2007-01-19/meta-data/instance-type", fullAddr, 404, textPlain, notFoundBody},
		{"/latest/user-data", fullAddr, 200, textPlain, "#cloud-config\n"},
		{"/latest/user-data", minimalAddr, 404, textPlain, notFoundBody},
		{"/2010-01-01/meta-data/", fullAddr, 404, textPlain, notFoundBody},
		{"/nope", fullAddr, 404, textPlain, notFoundBody},
		// An unknown requester learns only the version list.
		{"/latest/meta-data/", "192.0.2.1", 404, textPlain, notFoundBody},
		{"/openstack", "192.0.2.1", 404, textPlain, notFoundBody},
	}
	for _, tt := range tests {
		t.Run(tt.remote+tt.path, func(t *testing.T) {
			w := do(h, request{path: tt.path, remote: tt.remote})
			if w.Code != tt.code || w.Body.String() != tt.body {
				t.Errorf("GET %s = %d %q, want %d %q", tt.path, w.Code, w.Body.String(), tt.code, tt.body)
			}
			if got := w.Header().Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type = %q, want %q", got, tt.ctype)
			}
		})
	}
}

func TestHandlerMetaData(t *testing.T) {
	h := newHandler(newLookup(), Options{})
	w := do(h, request{path: "/openstack/latest/meta_data.json", remote: fullAddr})
	if w.Code != 200 {
		t.Fatalf("code %d: %s", w.Code, w.Body)
	}
	var md map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &md); err != nil {
		t.Fatal(err)
	}
	if _, ok := md["admin_pass"]; ok {
		t.Error("the metadata API shows admin_pass; only the config drive may")
	}
	if md["uuid"] != fullInput().Instance.ID || md["hostname"] != "web-1.novalocal" || md["project_id"] != "p1" {
		t.Errorf("meta_data.json = %v", md)
	}
	// The API renders what Build writes, but for admin_pass and the seed.
	tree := Build(fullInput())
	var built map[string]any
	if err := json.Unmarshal(tree["openstack/latest/meta_data.json"], &built); err != nil {
		t.Fatal(err)
	}
	delete(built, "admin_pass")
	if diff := cmp.Diff(built, md); diff != "" {
		t.Errorf("API and config drive differ (-drive +api):\n%s", diff)
	}
}

func TestHandlerProxyHeaders(t *testing.T) {
	full := fullInput().Instance
	h := newHandler(newLookup(), Options{ProxySharedSecret: secret})
	hdr := func(id, tenant, sig string) map[string]string {
		m := map[string]string{"X-Forwarded-For": "10.1.1.1"}
		for k, v := range map[string]string{"X-Instance-ID": id, "X-Tenant-ID": tenant, "X-Instance-ID-Signature": sig} {
			if v != "" {
				m[k] = v
			}
		}
		return m
	}
	tests := []struct {
		name   string
		header map[string]string
		code   int
		body   string
	}{
		{"signed", hdr(full.ID, "p1", Sign(secret, full.ID)), 200, "i-0000002a"},
		{"bad signature", hdr(full.ID, "p1", Sign("other", full.ID)), 403, "403 Forbidden\n\nInvalid proxy request signature.\n\n   "},
		{"no signature", hdr(full.ID, "p1", ""), 400, "400 Bad Request\n\nX-Instance-ID-Signature header is missing from request.\n\n   "},
		{"no tenant", hdr(full.ID, "", Sign(secret, full.ID)), 400, "400 Bad Request\n\nX-Tenant-ID header is missing from request.\n\n   "},
		{"wrong tenant", hdr(full.ID, "p2", Sign(secret, full.ID)), 404, notFoundBody},
		{"unknown instance", hdr("nope", "p1", Sign(secret, "nope")), 404, notFoundBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The remote address is the proxy's, known to no instance.
			w := do(h, request{path: "/latest/meta-data/instance-id", remote: "192.0.2.1", header: tt.header})
			if w.Code != tt.code || w.Body.String() != tt.body {
				t.Errorf("= %d %q, want %d %q", w.Code, w.Body.String(), tt.code, tt.body)
			}
		})
	}
	// The forwarded address is the instance's, for local-ipv4.
	w := do(h, request{path: "/latest/meta-data/local-ipv4", remote: "192.0.2.1", header: hdr(full.ID, "p1", Sign(secret, full.ID))})
	if w.Body.String() != "10.1.1.1" {
		t.Errorf("local-ipv4 behind the proxy = %q", w.Body.String())
	}

	// Without a shared secret the headers are not trusted: the request is
	// identified by its address.
	h = newHandler(newLookup(), Options{})
	w = do(h, request{path: "/latest/meta-data/instance-id", remote: minimalAddr, header: hdr(full.ID, "p1", Sign("", full.ID))})
	if w.Code != 200 || w.Body.String() != "i-00000007" {
		t.Errorf("unsigned proxy headers = %d %q, want the requester's instance", w.Code, w.Body.String())
	}
}

func TestHandlerForwardedFor(t *testing.T) {
	xff := map[string]string{"X-Forwarded-For": fullAddr + ", 192.0.2.5"}
	w := do(newHandler(newLookup(), Options{}), request{path: "/latest/meta-data/instance-id", remote: minimalAddr, header: xff})
	if w.Body.String() != "i-00000007" {
		t.Errorf("untrusted X-Forwarded-For used: %q", w.Body.String())
	}
	w = do(newHandler(newLookup(), Options{TrustForwardedFor: true}), request{path: "/latest/meta-data/instance-id", remote: "192.0.2.1", header: xff})
	if w.Body.String() != "i-0000002a" {
		t.Errorf("trusted X-Forwarded-For ignored: %d %q", w.Code, w.Body.String())
	}
}

func TestHandlerLookupError(t *testing.T) {
	h := newHandler(&fakeLookup{err: errors.New("database down")}, Options{})
	w := do(h, request{path: "/latest/meta-data/", remote: fullAddr})
	want := "500 Internal Server Error\n\nAn unknown error has occurred. Please try your request again.\n\n   "
	if w.Code != 500 || w.Body.String() != want {
		t.Errorf("= %d %q, want 500 %q", w.Code, w.Body.String(), want)
	}
}

func TestHandlerPassword(t *testing.T) {
	store := &fakePasswords{got: map[string]string{}}
	h := newHandler(newLookup(), Options{Passwords: store})
	tests := []struct {
		name   string
		method string
		remote string
		body   string
		code   int
	}{
		{"post", http.MethodPost, fullAddr, "ENCRYPTED", 200},
		{"already set", http.MethodPost, "10.0.0.10", "AGAIN", 409},
		{"too large", http.MethodPost, minimalAddr, strings.Repeat("x", MaxPasswordSize+1), 400},
		{"put", http.MethodPut, minimalAddr, "x", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, request{method: tt.method, path: "/openstack/latest/password", remote: tt.remote, body: tt.body})
			if w.Code != tt.code {
				t.Errorf("%s = %d %q, want %d", tt.method, w.Code, w.Body.String(), tt.code)
			}
		})
	}
	if diff := cmp.Diff(map[string]string{fullInput().Instance.ID: "ENCRYPTED"}, store.got); diff != "" {
		t.Errorf("stored passwords (-want +got):\n%s", diff)
	}

	w := do(newHandler(newLookup(), Options{}), request{method: http.MethodPost, path: "/openstack/latest/password", remote: fullAddr, body: "x"})
	if w.Code != http.StatusNotImplemented {
		t.Errorf("POST without a PasswordStore = %d, want 501", w.Code)
	}
	w = do(h, request{method: http.MethodPost, path: "/openstack/latest/meta_data.json", remote: fullAddr})
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST meta_data.json = %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
}
