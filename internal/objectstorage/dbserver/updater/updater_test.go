package updater_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/account"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/container"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/updater"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

func ts(i int) string {
	base := time.Now().Truncate(time.Hour).Add(-time.Hour).Unix()
	return swift.FromRaw((base + int64(i)) * 100000).Internal()
}

func do(t *testing.T, base, method, path string, hdr map[string]string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestUpdaterReportsToAccounts(t *testing.T) {
	b, err := ring.NewBuilder(2, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	var accounts []*httptest.Server
	for i := range 3 {
		devices := t.TempDir()
		dev := fmt.Sprintf("sd%c", 'a'+i)
		os.Mkdir(filepath.Join(devices, dev), 0o755)
		cfg := dbserver.Config{Devices: devices}.WithDefaults()
		srv := httptest.NewServer(account.New(cfg))
		t.Cleanup(func() { srv.Close(); cfg.Cache.Close() })
		accounts = append(accounts, srv)
		_, portS, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
		port, _ := strconv.Atoi(portS)
		if _, err := b.Add(ring.Device{ID: -1, Region: 1, Zone: i + 1, IP: "127.0.0.1", Port: port, Device: dev, Weight: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := b.Rebalance(); err != nil {
		t.Fatal(err)
	}
	rg, err := b.Ring()
	if err != nil {
		t.Fatal(err)
	}
	apart, anodes := rg.PartNodes("AUTH_u", "", "", "", "")
	urlOf := func(d ring.Device) string { return "http://127.0.0.1:" + strconv.Itoa(d.Port) }
	for _, n := range anodes {
		if code, _, _ := do(t, urlOf(n), "PUT", fmt.Sprintf("/%s/%d/AUTH_u", n.Device, apart), map[string]string{"X-Timestamp": ts(1)}); code != 201 {
			t.Fatalf("account PUT %d", code)
		}
	}
	cdevices := t.TempDir()
	os.Mkdir(filepath.Join(cdevices, "sdx"), 0o755)
	ccfg := dbserver.Config{Devices: cdevices}.WithDefaults()
	csrv := httptest.NewServer(container.New(ccfg))
	defer csrv.Close()
	defer ccfg.Cache.Close()
	// The container PUT carries no account headers: only the updater
	// tells the accounts.
	do(t, csrv.URL, "PUT", "/sdx/0/AUTH_u/c", map[string]string{"X-Timestamp": ts(2)})
	for i := range 3 {
		do(t, csrv.URL, "PUT", fmt.Sprintf("/sdx/0/AUTH_u/c/o%d", i), map[string]string{"X-Timestamp": ts(3),
			"X-Size": "10", "X-Content-Type": "t/p", "X-Etag": "e"})
	}
	u := updater.New(updater.Config{Server: ccfg, AccountRing: func() *ring.Ring { return rg }})
	st, err := u.Once(context.Background())
	if err != nil || st.Successes != 1 {
		t.Fatalf("first pass: %+v %v", st, err)
	}
	for _, n := range anodes {
		code, body, h := do(t, urlOf(n), "GET", fmt.Sprintf("/%s/%d/AUTH_u?format=json", n.Device, apart), nil)
		if code != 200 || !strings.Contains(body, `"name": "c", "count": 3, "bytes": 30`) || h.Get("X-Account-Object-Count") != "3" {
			t.Errorf("account %s: %d %s %s", n.Device, code, body, h.Get("X-Account-Object-Count"))
		}
	}
	if st, _ = u.Once(context.Background()); st.NoChanges != 1 || st.Successes != 0 {
		t.Errorf("second pass: %+v", st)
	}
	// With one account replica down a majority still takes the report.
	do(t, csrv.URL, "DELETE", "/sdx/0/AUTH_u/c/o0", map[string]string{"X-Timestamp": ts(4)})
	var down *httptest.Server
	for _, a := range accounts {
		if strings.HasSuffix(a.URL, ":"+strconv.Itoa(anodes[0].Port)) {
			down = a
		}
	}
	down.Close()
	if st, _ = u.Once(context.Background()); st.Successes != 1 {
		t.Errorf("pass with one account down: %+v", st)
	}
	_, _, h := do(t, urlOf(anodes[1]), "HEAD", fmt.Sprintf("/%s/%d/AUTH_u", anodes[1].Device, apart), nil)
	if h.Get("X-Account-Object-Count") != "2" || h.Get("X-Account-Bytes-Used") != "20" {
		t.Errorf("after delete: %v", h)
	}
}
