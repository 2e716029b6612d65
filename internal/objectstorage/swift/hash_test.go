package swift

import "testing"

// The want values are Python's hashlib.md5 of the same bytes, as Swift's
// hash_path computes them.
func TestHashPath(t *testing.T) {
	tests := []struct {
		prefix, suffix, a, c, o string
		want                    string
	}{
		{"pre", "suf", "AUTH_test", "c", "oé", "1e0f096427e599295ed5aebb29341ba3"},
		{"", "changeme", "AUTH_test", "", "", "9d00c9d091fea9ea855f29c22714dc83"},
		{"", "", "a", "c", "", "cedd7c00e3b24d551b38f13c8cd2e791"},
	}
	for _, tt := range tests {
		if got := HashPath(tt.prefix, tt.suffix, tt.a, tt.c, tt.o); got != tt.want {
			t.Errorf("HashPath(%q, %q, %q, %q, %q) = %s, want %s", tt.prefix, tt.suffix, tt.a, tt.c, tt.o, got, tt.want)
		}
	}
}

func BenchmarkHashPath(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		HashPathRaw("", "changeme", "AUTH_0123456789abcdef", "container", "some/object/name")
	}
}

func TestHashPathLong(t *testing.T) {
	// Past the stack buffer the digest path must give Python's answer too.
	long := string(make([]byte, 2000))
	if got, want := HashPath("p", "s", "a", "c", long), "226c4e2d665bb4f74cb473c5ae447c5e"; got != want {
		t.Errorf("long path hash %s, want %s", got, want)
	}
}
