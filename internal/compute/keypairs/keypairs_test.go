package keypairs

import (
	"testing"

	"github.com/gostack/gostack/internal/compute"
)

func TestFingerprint(t *testing.T) {
	const ed = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNbX+4mVY+ElTXSv5vKsfRXlo+NBmbtgTK+jA9huWqR test"
	got, err := Fingerprint(compute.KeypairSSH, ed)
	if err != nil || got != "b0:e4:4b:af:da:a2:a9:4e:a1:21:73:bc:df:20:8c:38" {
		t.Errorf("Fingerprint = %q, %v", got, err)
	}
	for _, bad := range []string{"", "ssh-rsa AAAA", "not a key"} {
		if _, err := Fingerprint(compute.KeypairSSH, bad); err == nil {
			t.Errorf("Fingerprint(%q) succeeded", bad)
		}
	}
	if _, err := Fingerprint(compute.KeypairX509, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"); err == nil {
		t.Error("bad certificate accepted")
	}
}

func TestKeypairNames(t *testing.T) {
	for _, tc := range []struct {
		name    string
		relaxed bool
		ok      bool
	}{
		{"key-1_a", false, true},
		{"a.b", false, false},
		{"me@a.b", true, true},
		{"with space", false, true},
		{" lead", false, false},
		{"k*1", false, false},
		{"k*1", true, false},
		{"", true, false},
		{"tab\tname", true, false},
	} {
		if err := validKeypairName(tc.name, tc.relaxed); (err == nil) != tc.ok {
			t.Errorf("validKeypairName(%q, %v) = %v", tc.name, tc.relaxed, err)
		}
	}
}
