package cloud

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteClientFiles writes DIR/openrc and DIR/clouds.yaml for the admin
// user, Keystone v3, mode 0600.
func WriteClientFiles(dir, authURL, region, password string) error {
	openrc := fmt.Sprintf(`# gostack admin credentials: source this file, then use the openstack CLI.
export OS_AUTH_URL=%s
export OS_AUTH_TYPE=password
export OS_IDENTITY_API_VERSION=3
export OS_USERNAME=admin
export OS_PASSWORD=%s
export OS_PROJECT_NAME=admin
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=%s
export OS_INTERFACE=public
`, authURL, shellQuote(password), region)
	clouds := fmt.Sprintf(`clouds:
  gostack:
    auth:
      auth_url: %s
      username: admin
      password: %q
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: %s
    interface: public
    identity_api_version: 3
`, authURL, password, region)
	if err := writeFile(filepath.Join(dir, "openrc"), openrc); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "clouds.yaml"), clouds)
}

func writeFile(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// readOpenrcPassword returns OS_PASSWORD from an openrc we wrote, or "".
func readOpenrcPassword(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "export OS_PASSWORD=")
		if !ok {
			continue
		}
		if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = strings.ReplaceAll(v[1:len(v)-1], `'\''`, "'")
		}
		return v
	}
	return ""
}
