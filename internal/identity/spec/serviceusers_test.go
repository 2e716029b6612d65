package spec

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"

	"github.com/gostack/gostack/internal/identity"
	idapi "github.com/gostack/gostack/internal/identity/api"
	"github.com/gostack/gostack/internal/identity/client"
	"github.com/gostack/gostack/internal/identity/client/tokensource"
	"github.com/gostack/gostack/internal/identity/store"
	"github.com/gostack/gostack/internal/identity/token"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// TestServiceUsers runs bootstrap on a real identity service and logs in
// with the file it wrote: the compute agent's user has the service role
// on the service project and nothing else; a second bootstrap keeps its
// password; a rotation changes it, the old file stops working and a
// token source with the new file works.
func TestServiceUsers(t *testing.T) {
	ctx := context.Background()
	keys := t.TempDir()
	if err := token.Setup(keys); err != nil {
		t.Fatal(err)
	}
	svc, err := identity.New(ctx, identity.Config{KeyRepository: keys, BcryptCost: 4}, store.New(dbtest.Open(t)))
	if err != nil {
		t.Fatal(err)
	}
	// The identity API, at an address known before bootstrap writes it
	// into the catalog and the files.
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	h = idapi.New(svc, apitest.Policy(t, identity.PolicyDefaults()), srv.URL, slog.New(slog.DiscardHandler)).Handler()

	dataDir := t.TempDir()
	spec := identity.BootstrapSpec{AdminPassword: "admin-pw", Services: []identity.BootstrapService{
		{Type: "identity", Name: "keystone", PublicURL: srv.URL + "/v3", InternalURL: srv.URL + "/v3"},
		{Type: "placement", Name: "placement", PublicURL: "http://placement.example", InternalURL: "http://placement.internal"},
	}}
	files := CredentialFiles{DataDir: dataDir, AuthURL: srv.URL + "/v3", Region: "RegionOne"}
	res, out, err := Bootstrap(ctx, svc, spec, files)
	if err != nil {
		t.Fatal(err)
	}
	path := tokensource.Path(dataDir, ComputeAgentUser)
	if !slices.Equal(out.Written, []string{path}) || len(out.Unknown) != 0 {
		t.Fatalf("outcome %+v, want %s written", out, path)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v, %v", st, err)
	}
	first, err := tokensource.Load(path)
	if err != nil {
		t.Fatal(err)
	}

	// The token is the service role's alone, on the service project.
	src, err := tokensource.New(*first, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := svc.Authn().ValidateToken(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if cred.ProjectID != res.ServiceProjectID || !slices.Equal(cred.Roles, []string{"service"}) {
		t.Fatalf("service user's token: project %s roles %v; want %s [service]", cred.ProjectID, cred.Roles, res.ServiceProjectID)
	}
	if u, err := src.Endpoint(ctx, "placement"); err != nil || u != "http://placement.internal" {
		t.Fatalf("placement endpoint %q, %v", u, err)
	}

	// Again: same password, file rewritten with it.
	if _, out, err = Bootstrap(ctx, svc, spec, files); err != nil || len(out.Written) != 1 {
		t.Fatalf("second bootstrap: %+v, %v", out, err)
	}
	second, err := tokensource.Load(path)
	if err != nil || second.Password != first.Password {
		t.Fatalf("second bootstrap changed the password (%v)", err)
	}

	// A data dir without the file: the user is kept, its password unknown
	// there, and no file is written.
	other := CredentialFiles{DataDir: t.TempDir(), AuthURL: files.AuthURL}
	if _, out, err = Bootstrap(ctx, svc, spec, other); err != nil || len(out.Written) != 0 || !slices.Equal(out.Unknown, []string{ComputeAgentUser}) {
		t.Fatalf("bootstrap elsewhere: %+v, %v; want the user unknown", out, err)
	}
	if _, err := login(ctx, srv.URL, first); err != nil {
		t.Fatalf("the first file stopped working after a bootstrap elsewhere: %v", err)
	}

	// A rotation: new password, the old one refused.
	files.Rotate = true
	if _, _, err = Bootstrap(ctx, svc, spec, files); err != nil {
		t.Fatal(err)
	}
	rotated, err := tokensource.Load(path)
	if err != nil || rotated.Password == first.Password {
		t.Fatalf("rotation kept the password (%v)", err)
	}
	if _, err := login(ctx, srv.URL, first); err == nil {
		t.Fatal("the old password still logs in after a rotation")
	}
	if _, err := login(ctx, srv.URL, rotated); err != nil {
		t.Fatalf("the rotated file does not log in: %v", err)
	}
}

func login(ctx context.Context, url string, c *tokensource.Credentials) (*client.Token, error) {
	cl, err := client.New(url, nil)
	if err != nil {
		return nil, err
	}
	return cl.Authenticate(ctx, client.Password{UserName: c.Username, UserDomainName: c.UserDomainName, Password: c.Password,
		ProjectName: c.ProjectName, ProjectDomainName: c.ProjectDomainName})
}
