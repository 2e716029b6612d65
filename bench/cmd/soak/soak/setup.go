package soak

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gostack/gostack/tests/acceptance/launch"
	"github.com/gostack/gostack/tests/acceptance/storm"
)

// placementVersion is the Placement microversion the soak speaks (usages,
// allocations in the 1.12 form, allocation candidates with limit).
const placementVersion = "OpenStack-API-Version: placement 1.29"

// flavor is a flavor the servers boot with.
type flavor struct {
	id               string
	vcpus, ram, disk int64
}

// project is a project of the soak with its one member user.
type project struct {
	id, name         string
	userID, userName string
	password         string
	api              *launch.API // the user's token, scoped to the project
}

// fixture is what the load needs, made once before it starts.
type fixture struct {
	authURL  string
	admin    *launch.API
	flavors  []flavor
	imageID  string
	projects []*project
	pubKey   string // an OpenSSH public key for the keypairs
}

// login authenticates with the shared HTTP client, so that every client
// of the soak reuses one pool of connections.
func login(ctx context.Context, hc *http.Client, authURL, user, password, project string) (*launch.API, error) {
	a, err := launch.Login(ctx, authURL, user, password, project)
	if err != nil {
		return nil, err
	}
	a.HTTP.CloseIdleConnections()
	a.HTTP = hc
	return a, nil
}

// setup waits for every simulated host in Placement, then makes the
// flavors, the image, the projects with a member user each and lifts
// their compute quotas, so that quota is never what limits the load.
func setup(ctx context.Context, hc *http.Client, authURL, adminPassword string, hosts, projects int) (*fixture, error) {
	admin, err := login(ctx, hc, authURL, "admin", adminPassword, "admin")
	if err != nil {
		return nil, err
	}
	f := &fixture{authURL: authURL, admin: admin}
	if err := waitProviders(ctx, admin, hosts); err != nil {
		return nil, err
	}
	base, err := storm.Prepare(ctx, admin, "soak-small")
	if err != nil {
		return nil, err
	}
	f.imageID = base.ImageID
	f.flavors = append(f.flavors, flavor{id: base.FlavorID, vcpus: base.VCPUs, ram: base.RAM, disk: base.Disk})
	var fl struct {
		Flavor struct {
			ID string `json:"id"`
		} `json:"flavor"`
	}
	medium := flavor{vcpus: 2, ram: 256, disk: 2}
	if _, err := admin.Do(ctx, "POST", "compute", "/flavors", map[string]any{"flavor": map[string]any{
		"name": "soak-medium", "vcpus": medium.vcpus, "ram": medium.ram, "disk": medium.disk}}, &fl, storm.Microversion); err != nil {
		return nil, err
	}
	medium.id = fl.Flavor.ID
	f.flavors = append(f.flavors, medium)

	var roles struct {
		Roles []struct {
			ID string `json:"id"`
		} `json:"roles"`
	}
	if _, err := admin.Do(ctx, "GET", "identity", "/roles?name=member", nil, &roles); err != nil {
		return nil, err
	}
	if len(roles.Roles) != 1 {
		return nil, fmt.Errorf("%d roles named member", len(roles.Roles))
	}
	member := roles.Roles[0].ID
	for i := range projects {
		p := &project{name: fmt.Sprintf("soak-p%d", i), userName: fmt.Sprintf("soak-u%d", i),
			password: fmt.Sprintf("Soak-%d-%d", i, time.Now().UnixNano())}
		var pr struct {
			Project struct {
				ID string `json:"id"`
			} `json:"project"`
		}
		if _, err := admin.Do(ctx, "POST", "identity", "/projects", map[string]any{"project": map[string]any{
			"name": p.name, "domain_id": "default"}}, &pr); err != nil {
			return nil, err
		}
		p.id = pr.Project.ID
		var u struct {
			User struct {
				ID string `json:"id"`
			} `json:"user"`
		}
		if _, err := admin.Do(ctx, "POST", "identity", "/users", map[string]any{"user": map[string]any{
			"name": p.userName, "password": p.password, "domain_id": "default", "default_project_id": p.id}}, &u); err != nil {
			return nil, err
		}
		p.userID = u.User.ID
		if _, err := admin.Do(ctx, "PUT", "identity", "/projects/"+p.id+"/users/"+p.userID+"/roles/"+member, nil, nil); err != nil {
			return nil, err
		}
		if _, err := admin.Do(ctx, "PUT", "compute", "/os-quota-sets/"+p.id, map[string]any{"quota_set": map[string]any{
			"instances": -1, "cores": -1, "ram": -1, "key_pairs": -1}}, nil, storm.Microversion); err != nil {
			return nil, err
		}
		if p.api, err = login(ctx, hc, authURL, p.userName, p.password, p.name); err != nil {
			return nil, err
		}
		f.projects = append(f.projects, p)
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	f.pubKey = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " soak"
	return f, nil
}

// provider is a resource provider as the soak sees it.
type provider struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

func listProviders(ctx context.Context, admin *launch.API) ([]provider, error) {
	var rps struct {
		Providers []provider `json:"resource_providers"`
	}
	_, err := admin.Do(ctx, "GET", "placement", "/resource_providers", nil, &rps, placementVersion)
	return rps.Providers, err
}

// waitProviders waits until Placement has a provider per simulated host:
// before that, creates would fail for want of a host, which is start-up,
// not load.
func waitProviders(ctx context.Context, admin *launch.API, hosts int) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	for {
		rps, err := listProviders(ctx, admin)
		if err == nil && len(rps) >= hosts {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of %d hosts in Placement (last error: %v)", len(rps), hosts, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
