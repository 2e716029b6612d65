package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	bsrpc "github.com/gostack/gostack/internal/blockstorage/rpc"
	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/platform/bus"
)

// agentList is a repeatable NAME[=HOST,HOST…] flag: one agent process
// and the hosts it serves (default: one host named NAME).
type agentList map[string][]string

func (a agentList) String() string { return fmt.Sprint(map[string][]string(a)) }

func (a agentList) Set(v string) error {
	name, hosts, _ := strings.Cut(v, "=")
	if name == "" || strings.ContainsAny(name, " .*>") {
		return fmt.Errorf("agent %q: a name without spaces, dots or wildcards", v)
	}
	if _, dup := a[name]; dup {
		return fmt.Errorf("agent %s given twice", name)
	}
	list := []string{name}
	if hosts != "" {
		list = strings.Split(hosts, ",")
	}
	a[name] = list
	return nil
}

// ServeBusUser is the NATS user of the API replicas (gostack serve).
const ServeBusUser = "gostack-serve"

// adminBusUsers writes the NATS authorization block of a cluster and one
// environment file per user: the API replicas may use every subject; a
// compute agent only answers requests for its own hosts and sends its
// reports and heartbeats (a volume agent likewise); each reads replies
// in its own inbox only.
func adminBusUsers(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gostack admin bus-users", flag.ContinueOnError)
	fs.SetOutput(stderr)
	busURL := fs.String("bus-url", "", "the NATS servers, without credentials: nats://a:4222,nats://b:4222,…")
	out := fs.String("out", "", "directory for nats-auth.conf and the users' <user>.env files")
	computes, volumes := agentList{}, agentList{}
	fs.Var(computes, "compute-agent", "a compute agent NAME[=HOST,…] (user compute-NAME; repeat the flag per agent)")
	fs.Var(volumes, "volume-agent", "a volume agent NAME[=HOST,…] (user volume-NAME; repeat the flag per agent)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *busURL == "" || *out == "" || fs.NArg() > 0 {
		return errors.New("admin bus-users: --bus-url and --out are required, and nothing else")
	}
	users := []bus.User{{Name: ServeBusUser, Publish: []string{">"}, Subscribe: []string{">"}}}
	for name, hosts := range computes {
		u := bus.User{Name: "compute-" + name, Responses: true,
			Publish: []string{hostrpc.ReportSubject, bus.HeartbeatPrefix + compute.HeartbeatService}}
		for _, h := range hosts {
			u.Subscribe = append(u.Subscribe, hostrpc.Subject(h))
		}
		users = append(users, u)
	}
	for name, hosts := range volumes {
		u := bus.User{Name: "volume-" + name, Responses: true, Publish: []string{bsrpc.ReportSubject}}
		for _, h := range hosts {
			u.Subscribe = append(u.Subscribe, bsrpc.Subject(h))
		}
		users = append(users, u)
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return err
	}
	for i := range users {
		users[i].Password = bus.NewPassword()
		withUser, err := bus.WithUser(*busURL, users[i].Name, users[i].Password)
		if err != nil {
			return fmt.Errorf("admin bus-users: %w", err)
		}
		f := filepath.Join(*out, users[i].Name+".env")
		if err := os.WriteFile(f, []byte("GOSTACK_BUS_URL="+withUser+"\n"), 0o600); err != nil {
			return err
		}
	}
	conf, err := bus.AuthConfig(users)
	if err != nil {
		return err
	}
	confFile := filepath.Join(*out, "nats-auth.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (include it in every NATS server's configuration) and %d users' environment files in %s:\n", confFile, len(users), *out)
	for _, u := range users {
		fmt.Fprintf(stdout, "  %s.env\n", u.Name)
	}
	return nil
}
