package servers

import "testing"

func TestSanitizeHostname(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"My Server", "my-server"},
		{"a_b.c", "a-b-c"},
		{"--x--", "x"},
		{"héllo wörld", "héllo-wörld"},
		{"日本", "Server-1"},
		{"a!@#b", "ab"},
		{string(make([]byte, 70)), "Server-1"},
	} {
		if got := sanitizeHostname(tc.in, "Server-1"); got != tc.want {
			t.Errorf("sanitizeHostname(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := ""
	for range 70 {
		long += "a"
	}
	if got := sanitizeHostname(long, ""); len(got) != 63 {
		t.Errorf("long hostname has %d characters", len(got))
	}
}

func TestParseAZ(t *testing.T) {
	for _, tc := range []struct{ in, az, host, node string }{
		{"nova", "nova", "", ""},
		{"nova:h1", "nova", "h1", ""},
		{"nova:h1:n1", "nova", "h1", "n1"},
		{"nova::n1", "nova", "", "n1"},
		{":h1", "", "h1", ""},
	} {
		az, host, node, err := parseAZ(tc.in)
		if err != nil || az != tc.az || host != tc.host || node != tc.node {
			t.Errorf("parseAZ(%q) = %q %q %q %v", tc.in, az, host, node, err)
		}
	}
	if _, _, _, err := parseAZ("a:b:c:d"); err == nil {
		t.Error("a:b:c:d parsed")
	}
}

func TestValidTag(t *testing.T) {
	for tag, ok := range map[string]bool{"a": true, "": false, "a/b": false, "a,b": false, "x y": true,
		"0123456789012345678901234567890123456789012345678901234567890": false} {
		if err := validTag(tag); (err == nil) != ok {
			t.Errorf("validTag(%q) = %v", tag, err)
		}
	}
}
