package tokensource

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Credentials are a service user's credentials file: what `gostack admin
// bootstrap` (and `gostack up`) write to DATA_DIR/credentials/<user>.json
// and a process running apart from the API reads to log in. The names are
// those of clouds.yaml's auth section, so the file reads the same to an
// operator who knows the openstack client.
type Credentials struct {
	AuthURL           string `json:"auth_url"`
	Username          string `json:"username"`
	Password          string `json:"password"`
	UserDomainName    string `json:"user_domain_name"`
	ProjectName       string `json:"project_name"`
	ProjectDomainName string `json:"project_domain_name"`
	RegionName        string `json:"region_name,omitempty"`
}

// Validate reports what is missing from c.
func (c Credentials) Validate() error {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"auth_url", c.AuthURL}, {"username", c.Username}, {"password", c.Password},
		{"user_domain_name", c.UserDomainName}, {"project_name", c.ProjectName}, {"project_domain_name", c.ProjectDomainName},
	} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("credentials: missing %s", strings.Join(missing, ", "))
	}
	return nil
}

// Path is where bootstrap writes user's credentials under dataDir.
func Path(dataDir, user string) string {
	return filepath.Join(dataDir, "credentials", user+".json")
}

// Load reads and checks a credentials file.
func Load(path string) (*Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("credentials %s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// Write writes c to path, readable by its owner only (0600, in a 0700
// directory), replacing any earlier file in one rename so that a reader
// never sees half a file.
func (c Credentials) Write(path string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".credentials-*")
	if err != nil {
		return err
	}
	// CreateTemp makes the file 0600 already; the explicit mode keeps that
	// true whatever its implementation does.
	err = errors.Join(f.Chmod(0o600), writeAll(f, append(b, '\n')), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write credentials %s: %w", path, err)
	}
	return nil
}

func writeAll(f *os.File, b []byte) error {
	_, err := f.Write(b)
	return err
}
