package qmp

import "testing"

func TestStateURI(t *testing.T) {
	for _, c := range []struct {
		path string
		save bool
		want string
	}{
		{"/d/state", true, "exec:cat > '/d/state'"},
		{"/d/it's", false, `exec:cat '/d/it'\''s'`},
	} {
		if got := StateURI(c.path, c.save); got != c.want {
			t.Errorf("StateURI(%q, %v) = %q, want %q", c.path, c.save, got, c.want)
		}
	}
}

func TestVNCPort(t *testing.T) {
	if p, err := (VNC{Enabled: true, Service: "5901"}).Port(); err != nil || p != 5901 {
		t.Errorf("port %d %v", p, err)
	}
	for _, v := range []VNC{{Enabled: false, Service: "5901"}, {Enabled: true, Service: "unix"}} {
		if _, err := v.Port(); err == nil {
			t.Errorf("%+v: no error", v)
		}
	}
}
