package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/dashboard"
)

// openrc answers Horizon's "OpenStack RC File" for the current project:
// it asks for the password when sourced, as Horizon's does, so that no
// password is ever written in it.
func (s *Server) openrc(w http.ResponseWriter, r *http.Request) error {
	_, sess, err := s.current(w, r)
	if err != nil {
		return err
	}
	c := s.credentials(&sess)
	var b strings.Builder
	fmt.Fprintf(&b, `#!/usr/bin/env bash
# OpenStack RC file for project %[2]s, from the gostack dashboard.
# Source it ("source %[1]s-openrc.sh") and type your password: it is asked
# for, never stored here. Then use the openstack CLI.
export OS_AUTH_URL=%[3]s
export OS_PROJECT_ID=%[4]s
export OS_PROJECT_NAME=%[2]s
export OS_USER_DOMAIN_NAME=%[5]s
if [ -z "$OS_USER_DOMAIN_NAME" ]; then unset OS_USER_DOMAIN_NAME; fi
export OS_PROJECT_DOMAIN_ID=%[6]s
if [ -z "$OS_PROJECT_DOMAIN_ID" ]; then unset OS_PROJECT_DOMAIN_ID; fi
# Unset v2.0 items in case set.
unset OS_TENANT_ID
unset OS_TENANT_NAME
export OS_USERNAME=%[7]s
echo "Please enter your OpenStack Password for project $OS_PROJECT_NAME as user $OS_USERNAME: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD=$OS_PASSWORD_INPUT
export OS_REGION_NAME=%[8]s
if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi
export OS_INTERFACE=public
export OS_IDENTITY_API_VERSION=3
`, fileName(c.project), shellQuote(c.project), shellQuote(c.authURL), shellQuote(c.projectID),
		shellQuote(c.userDomain), shellQuote(c.projectDomainID), shellQuote(c.user), shellQuote(c.region))
	return download(w, fileName(c.project)+"-openrc.sh", "application/x-shellscript", b.String())
}

// cloudsYAML answers a clouds.yaml for the current project, without the
// password (openstacksdk asks for none; put it in secure.yaml or use
// --os-password).
func (s *Server) cloudsYAML(w http.ResponseWriter, r *http.Request) error {
	_, sess, err := s.current(w, r)
	if err != nil {
		return err
	}
	c := s.credentials(&sess)
	q := func(v string) string { b, _ := json.Marshal(v); return string(b) } // a JSON string is a YAML string
	body := fmt.Sprintf(`# clouds.yaml for project %s, from the gostack dashboard.
# Use it with: openstack --os-cloud openstack ... It holds no password:
# give yours with --os-password, or in secure.yaml beside this file.
clouds:
  openstack:
    auth:
      auth_url: %s
      username: %s
      project_id: %s
      project_name: %s
      user_domain_name: %s
      project_domain_id: %s
    region_name: %s
    interface: "public"
    identity_api_version: 3
`, strings.ReplaceAll(c.project, "\n", " "), q(c.authURL), q(c.user), q(c.projectID), q(c.project), q(c.userDomain), q(c.projectDomainID), q(c.region))
	return download(w, "clouds.yaml", "application/x-yaml", body)
}

// credentials are the values both files name.
type credentials struct {
	authURL, user, userDomain, project, projectID, projectDomainID, region string
}

func (s *Server) credentials(sess *dashboard.Session) credentials {
	c := credentials{authURL: s.cfg.Identity.URL(), user: sess.Scoped.User.Name, userDomain: sess.Scoped.User.DomainName, region: s.cfg.Region}
	if u, ok := sess.Endpoint("identity", "public", s.cfg.Region); ok {
		c.authURL = u
	}
	if p := sess.Scoped.Project; p != nil {
		c.project, c.projectID, c.projectDomainID = p.Name, p.ID, p.DomainID
	}
	return c
}

func download(w http.ResponseWriter, name, ctype, body string) error {
	w.Header().Set("Content-Type", ctype+"; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write([]byte(body))
	return err
}

// fileName keeps the letters, digits, dots, dashes and underscores of a
// project name, for a download's file name.
func fileName(s string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
	if out == "" || strings.Trim(out, ".") == "" {
		return "project"
	}
	return out
}

// shellQuote quotes s for a POSIX shell: a project name may hold any
// character, and sourcing the file must not run it.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
