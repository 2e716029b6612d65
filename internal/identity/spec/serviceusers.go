package spec

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io/fs"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/identity/client/tokensource"
)

// ComputeAgentUser is the service user of `gostack agent compute`: it
// registers its hosts in Placement and reads images, with the service
// role only.
const ComputeAgentUser = "gostack-compute-agent"

// ServiceUserNames are the service users bootstrap makes: one for each
// role that runs apart from the API processes and calls their APIs. The
// network, volume and object agents are not among them: the first reads
// the database and the others speak only over the bus or to their own
// peers.
func ServiceUserNames() []string { return []string{ComputeAgentUser} }

// CredentialFiles says where bootstrap writes the service users'
// credentials files and what they hold besides the user and password.
type CredentialFiles struct {
	DataDir string // the files go to DataDir/credentials/<user>.json
	AuthURL string // the identity endpoint the users log in at
	Region  string
	// Rotate gives every service user a new password (and a new file),
	// which invalidates the copies other hosts hold.
	Rotate bool
}

// ServiceUsersOutcome says what bootstrap did with the service users'
// files.
type ServiceUsersOutcome struct {
	// Written are the paths of the files written, one per user whose
	// password this bootstrap knows.
	Written []string
	// Unknown are the users that exist with a password this bootstrap
	// does not know (made by a bootstrap that wrote its files in another
	// data dir): their files are where that bootstrap ran, or a rotation
	// (gostack admin bootstrap --rotate-service-passwords) makes new ones.
	Unknown []string
}

// Bootstrap runs svc's bootstrap with the service users added to spec and
// writes their credentials files. Idempotent: a user that exists keeps
// its password, which its file in files.DataDir already holds (the file
// is rewritten with the current auth URL); a user that does not exist is
// made with the password of its file when there is one, so that the file
// stays valid over a new database, or else a new random one.
func Bootstrap(ctx context.Context, svc *identity.Service, spec identity.BootstrapSpec, files CredentialFiles) (*identity.BootstrapResult, *ServiceUsersOutcome, error) {
	names := ServiceUserNames()
	known := make([]bool, len(names))
	// The caller's own service users, if any, come first in the results.
	first := len(spec.ServiceUsers)
	spec.ServiceUsers = slices.Clone(spec.ServiceUsers)
	for i, name := range names {
		u := identity.ServiceUser{Name: name, Reset: files.Rotate}
		if files.DataDir == "" {
			// Nowhere to keep a password: the user is made, or kept, with
			// a password nobody knows until a rotation in a data dir.
			u.Password, u.Reset = randomPassword(), false
			spec.ServiceUsers = append(spec.ServiceUsers, u)
			continue
		}
		c, err := tokensource.Load(tokensource.Path(files.DataDir, name))
		switch {
		case err == nil && c.Username == name && !files.Rotate:
			u.Password, known[i] = c.Password, true
		case err == nil, errors.Is(err, fs.ErrNotExist):
			u.Password = randomPassword()
		default:
			// A damaged file is replaced only by a rotation, which the
			// operator asks for; bootstrap does not guess.
			return nil, nil, err
		}
		spec.ServiceUsers = append(spec.ServiceUsers, u)
	}
	res, err := svc.Bootstrap(ctx, spec)
	if err != nil {
		return nil, nil, err
	}
	out := &ServiceUsersOutcome{}
	for i, r := range res.ServiceUsers[first:] {
		if files.DataDir == "" || !r.PasswordSet && !known[i] {
			out.Unknown = append(out.Unknown, r.Name)
			continue
		}
		path := tokensource.Path(files.DataDir, r.Name)
		c := tokensource.Credentials{
			AuthURL: files.AuthURL, Username: r.Name, Password: spec.ServiceUsers[first+i].Password,
			UserDomainName: "Default", ProjectName: serviceProject(spec), ProjectDomainName: "Default",
			RegionName: files.Region,
		}
		if err := c.Write(path); err != nil {
			return nil, nil, err
		}
		out.Written = append(out.Written, path)
	}
	return res, out, nil
}

// serviceProject is the name of the project the service users are in.
func serviceProject(spec identity.BootstrapSpec) string {
	if strings.TrimSpace(spec.ServiceProject) != "" {
		return spec.ServiceProject
	}
	return "service"
}

// randomPassword is 32 characters from 192 random bits.
func randomPassword() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
