package cli

import (
	"flag"
	"fmt"
	"io"

	"github.com/gostack/gostack/internal/platform/config"
)

// dataFlags are the flags of every command that opens the data dir's
// database: where the configuration and the data are.
func dataFlags() []string { return []string{"config", "data-dir", "database-url"} }

// keyFlags are what the commands that open the token keys use besides
// dataFlags: the secret key that seals them in the database.
func keyFlags() []string { return []string{"secret-key-file"} }

// bootstrapFlags are what `admin bootstrap` uses besides dataFlags: the
// password and its hashing, and what the openrc's auth URL and region are
// made of.
func bootstrapFlags() []string {
	return append([]string{"admin-password", "bcrypt-cost", "region", "host", "public-host"}, catalogPortFlags()...)
}

// catalogPortFlags are the ports of the services in the catalog, which
// `admin bootstrap` registers for the replicas of `serve`.
func catalogPortFlags() []string {
	return []string{"identity-port", "image-port", "placement-port", "network-port", "volume-port", "compute-port", "object-store-port"}
}

// cmdFlags are one command's flags: those it names, taken from the whole
// configuration's binding (config.Bind), so that `-h` lists only what the
// command uses while its values still merge in config.Loader.Load
// (defaults < file < environment < flags) exactly as `up`'s do.
type cmdFlags struct {
	fs  *flag.FlagSet // what the command shows and parses
	all *flag.FlagSet // the whole binding, which the Loader reads
	l   *config.Loader
	set map[string]bool
}

// newFlags binds the configuration flags names (all of them when names is
// nil) for the command name.
func newFlags(name string, stderr io.Writer, names ...[]string) *cmdFlags {
	c := &cmdFlags{
		fs:  flag.NewFlagSet("gostack "+name, flag.ContinueOnError),
		all: flag.NewFlagSet("gostack "+name, flag.ContinueOnError),
		set: map[string]bool{},
	}
	c.fs.SetOutput(stderr)
	c.all.SetOutput(io.Discard)
	c.l = config.Bind(c.all)
	if names == nil {
		c.all.VisitAll(func(f *flag.Flag) { c.fs.Var(f.Value, f.Name, f.Usage) })
		return c
	}
	for _, list := range names {
		for _, n := range list {
			f := c.all.Lookup(n)
			if f == nil {
				// A programming error in this package's lists, caught by
				// its tests.
				panic(fmt.Sprintf("cli: no configuration flag %q", n))
			}
			c.fs.Var(f.Value, f.Name, f.Usage)
		}
	}
	return c
}

// parse parses args and loads the configuration; it returns the
// arguments left after the flags.
func (c *cmdFlags) parse(args []string) (config.Config, []string, error) {
	if err := c.fs.Parse(args); err != nil {
		return config.Config{}, nil, err
	}
	// The Loader knows a flag was given only when its own FlagSet saw it.
	var err error
	c.fs.Visit(func(f *flag.Flag) {
		c.set[f.Name] = true
		if c.all.Lookup(f.Name) != nil && err == nil {
			err = c.all.Set(f.Name, f.Value.String())
		}
	})
	if err != nil {
		return config.Config{}, nil, err
	}
	cfg, err := c.l.Load()
	return cfg, c.fs.Args(), err
}
