package swift

import "testing"

func TestCanonicalHeader(t *testing.T) {
	// The wants are Python's bytes.title(), which swob's HeaderKeyDict uses.
	for in, want := range map[string]string{
		"x-object-meta-a1b_c fooBAR": "X-Object-Meta-A1B_C Foobar",
		"etag":                       "Etag",
		"X-Object-Meta-Color":        "X-Object-Meta-Color",
		"X-OBJECT-META-COLOR":        "X-Object-Meta-Color",
		"x-container-meta-web-index": "X-Container-Meta-Web-Index",
		"":                           "",
	} {
		if got := CanonicalHeader(in); got != want {
			t.Errorf("CanonicalHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMetaPrefixes(t *testing.T) {
	if MetaPrefix(KindAccount) != "X-Account-Meta-" || SysMetaPrefix(KindContainer) != "X-Container-Sysmeta-" ||
		MetaPrefix("OBJECT") != "X-Object-Meta-" {
		t.Error("prefixes")
	}
	tests := []struct {
		key                  string
		user, sys, transient bool
	}{
		{"X-Object-Meta-Color", true, false, false},
		{"x-object-meta-", false, false, false},
		{"X-Object-Sysmeta-Slo", false, true, false},
		{"X-Object-Transient-Sysmeta-Crypto", false, false, true},
		{"X-Container-Meta-Color", false, false, false},
	}
	for _, tt := range tests {
		if IsUserMeta(KindObject, tt.key) != tt.user || IsSysMeta(KindObject, tt.key) != tt.sys ||
			IsTransientSysMeta(tt.key) != tt.transient {
			t.Errorf("%q: user %v sys %v transient %v", tt.key, IsUserMeta(KindObject, tt.key),
				IsSysMeta(KindObject, tt.key), IsTransientSysMeta(tt.key))
		}
	}
	if !TrueValue("Yes") || !TrueValue("t") || TrueValue("0") || TrueValue("") {
		t.Error("TrueValue")
	}
}
