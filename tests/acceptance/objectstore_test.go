//go:build acceptance && linux

package acceptance

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tool runs a command-line client other than the openstack CLI (swift,
// s3cmd) with env, failing the test when it fails.
func tool(t *testing.T, env []string, timeout time.Duration, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("$ %s %s  -> %v in %s", name, strings.Join(args, " "), err, time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// writeRandom writes size pseudo-random bytes to path and returns their md5.
func writeRandom(t *testing.T, path string, size int64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := md5.New()
	r := rand.NewChaCha8([32]byte{1})
	if _, err := io.CopyN(io.MultiWriter(f, h), r, size); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func fileMD5(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestObjectStoreClients: the object store with the clients its users
// have — python-swiftclient's `swift` uploads a 1 GiB file as SLO
// segments and downloads it whole; s3cmd (EC2 credentials from the
// openstack CLI) makes a bucket, puts, lists, gets, and uploads a file in
// parts (multipart), on the same data the Swift API shows.
func TestObjectStoreClients(t *testing.T) {
	for _, c := range []string{"/usr/bin/swift", "/usr/bin/s3cmd"} {
		if _, err := os.Stat(c); err != nil {
			t.Fatalf("%s is not installed (tools/test.sh installs python3-swiftclient and s3cmd)", c)
		}
	}
	cloud, rc := startCloud(t)
	home := t.TempDir()
	cl := &client{t: t, home: home}
	admin := creds(rc).with("OS_CLOUD", "")
	env := admin.environ(home)

	// swift: a 1 GiB file in 64 MiB SLO segments, downloaded whole.
	dir := t.TempDir()
	big := filepath.Join(dir, "big.bin")
	sum := writeRandom(t, big, 1<<30)
	tool(t, env, 10*time.Minute, "/usr/bin/swift", "upload", "--use-slo", "--segment-size", "67108864", "--object-name", "big.bin", "slo", big)
	stat := tool(t, env, time.Minute, "/usr/bin/swift", "stat", "slo", "big.bin")
	if !strings.Contains(stat, "Manifest:") && !strings.Contains(stat, "X-Static-Large-Object") {
		t.Errorf("swift stat of the upload shows no SLO manifest:\n%s", stat)
	}
	list := tool(t, env, time.Minute, "/usr/bin/swift", "list", "slo_segments")
	if n := len(strings.Fields(list)); n != 16 {
		t.Errorf("slo_segments holds %d segments, want 16:\n%s", n, list)
	}
	got := filepath.Join(dir, "got.bin")
	tool(t, env, 10*time.Minute, "/usr/bin/swift", "download", "slo", "big.bin", "--output", got)
	if g := fileMD5(t, got); g != sum {
		t.Fatalf("downloaded md5 %s, uploaded %s", g, sum)
	}
	os.Remove(got)
	os.Remove(big)

	// s3cmd with EC2 credentials of the admin's project.
	ec2 := cl.obj(admin, "ec2", "credentials", "create")
	endpoint := fmt.Sprintf("127.0.0.1:%d", cloud.Ports["s3"])
	cfg := filepath.Join(home, ".s3cfg")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, "[default]\naccess_key = %s\nsecret_key = %s\nhost_base = %s\nhost_bucket = %s\nuse_https = False\nsignature_v2 = False\nbucket_location = RegionOne\n",
		ec2["access"], ec2["secret"], endpoint, endpoint), 0o600); err != nil {
		t.Fatal(err)
	}
	s3 := func(args ...string) string {
		return tool(t, env, 5*time.Minute, "/usr/bin/s3cmd", append([]string{"-c", cfg}, args...)...)
	}
	s3("mb", "s3://bucket1")
	small := filepath.Join(dir, "small.txt")
	if err := os.WriteFile(small, []byte("hello from s3cmd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s3("put", small, "s3://bucket1/dir/small.txt")
	part := filepath.Join(dir, "parts.bin")
	psum := writeRandom(t, part, 23<<20)
	s3("put", "--multipart-chunk-size-mb=5", part, "s3://bucket1/parts.bin")
	ls := s3("ls", "-r", "s3://bucket1")
	for _, want := range []string{"s3://bucket1/dir/small.txt", "s3://bucket1/parts.bin"} {
		if !strings.Contains(ls, want) {
			t.Errorf("s3cmd ls lacks %s:\n%s", want, ls)
		}
	}
	back := filepath.Join(dir, "parts.back")
	s3("get", "s3://bucket1/parts.bin", back)
	if g := fileMD5(t, back); g != psum {
		t.Fatalf("multipart object md5 %s, uploaded %s", g, psum)
	}
	// The bucket is a container of the project's Swift account.
	if l := tool(t, env, time.Minute, "/usr/bin/swift", "list", "bucket1"); !strings.Contains(l, "parts.bin") {
		t.Errorf("swift list bucket1 lacks parts.bin:\n%s", l)
	}
	s3("del", "s3://bucket1/dir/small.txt")
	s3("del", "s3://bucket1/parts.bin")
	s3("rb", "s3://bucket1")
}
