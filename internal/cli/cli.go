// Package cli implements gostack's subcommands: up, serve, agent, version,
// openrc and the operator's admin commands (bootstrap, db upgrade, fernet
// rotate, ring).
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/reqid"
)

// Version is the gostack version, set at build time with
// -ldflags "-X github.com/gostack/gostack/internal/cli.Version=...".
var Version = "0.1.0-dev"

type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"up", "start the all-in-one cloud in the foreground", runUp},
		{"serve", "run API replicas' services on a shared database and bus", runServe},
		{"version", "print the version", func(_ []string, out, _ io.Writer) error { fmt.Fprintln(out, "gostack", Version); return nil }},
		{"openrc", "print the admin openrc of a data dir", runOpenrc},
		{"admin", "operator commands: bootstrap, db upgrade, fernet rotate", runAdmin},
		{"agent", "run one host's agent alone: agent compute|network|volume|object", runAgent},
	}
}

// errUsage marks a usage error already explained to the user.
var errUsage = errors.New("usage")

// Main runs gostack with args and returns the exit code.
func Main(args []string) int {
	stdout, stderr := io.Writer(os.Stdout), io.Writer(os.Stderr)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(args[1:], stdout, stderr)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
				return 2
			default:
				fmt.Fprintln(stderr, "gostack:", err)
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "gostack: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "gostack — an OpenStack-compatible cloud in one binary\n\nUsage: gostack COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'gostack COMMAND -h' for the flags of a command.")
}

func newLogger(c config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(strings.ToUpper(c.LogLevel)))
	opts := &slog.HandlerOptions{Level: lvl}
	// Lines logged with a request's context name its request_id and
	// global_request_id (platform/reqid).
	if c.LogFormat == "json" {
		return slog.New(reqid.Handler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(reqid.Handler(slog.NewTextHandler(w, opts)))
}
