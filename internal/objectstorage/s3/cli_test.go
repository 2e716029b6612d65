package s3

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLI drives the S3 API with the AWS CLI (a real client: botocore
// signing, its checksums, multipart transfers) when it is installed.
func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: runs the AWS CLI")
	}
	awsBin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI is not installed")
	}
	e := newEnv(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[default]\nregion = RegionOne\ns3 =\n  multipart_threshold = 5MB\n  multipart_chunksize = 5MB\n  addressing_style = path\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(awsBin, append([]string{"--endpoint-url", e.srv.URL}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+testAccess, "AWS_SECRET_ACCESS_KEY="+testSecret,
			"AWS_CONFIG_FILE="+cfg, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"), "AWS_EC2_METADATA_DISABLED=true")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	small := filepath.Join(dir, "small.txt")
	big := filepath.Join(dir, "big.bin")
	_ = os.WriteFile(small, []byte("hello from the aws cli\n"), 0o600)
	data := make([]byte, 12<<20+123)
	_, _ = rand.Read(data)
	_ = os.WriteFile(big, data, 0o600)

	run("s3", "mb", "s3://cli-bucket")
	run("s3", "cp", small, "s3://cli-bucket/dir/small.txt")
	run("s3", "cp", big, "s3://cli-bucket/big.bin")
	out := run("s3", "ls", "s3://cli-bucket", "--recursive")
	if !strings.Contains(out, "dir/small.txt") || !strings.Contains(out, "big.bin") {
		t.Errorf("ls: %s", out)
	}
	if out := run("s3api", "list-objects-v2", "--bucket", "cli-bucket", "--prefix", "dir/"); !strings.Contains(out, `"Key": "dir/small.txt"`) {
		t.Errorf("list-objects-v2: %s", out)
	}
	got := filepath.Join(dir, "got.bin")
	run("s3", "cp", "s3://cli-bucket/big.bin", got)
	if b, _ := os.ReadFile(got); !bytes.Equal(b, data) {
		t.Errorf("downloaded %d bytes differ from the %d uploaded", len(b), len(data))
	}
	if out := run("s3", "cp", "s3://cli-bucket/dir/small.txt", "-"); out != "hello from the aws cli\n" {
		t.Errorf("small: %q", out)
	}
	if out := run("s3api", "head-object", "--bucket", "cli-bucket", "--key", "big.bin"); !strings.Contains(out, `-3\"`) {
		t.Errorf("head-object of the multipart upload: %s", out)
	}
	run("s3", "rb", "s3://cli-bucket", "--force")
	if out := run("s3", "ls"); strings.Contains(out, "cli-bucket") {
		t.Errorf("bucket left: %s", out)
	}
}
