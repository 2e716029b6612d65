// Command soak is gostack's soak and crash test: it starts `gostack up`
// with the fake driver on fresh data, drives it with many clients through
// the public APIs, optionally kills it with SIGKILL and restarts it on the
// same data, checks the end state against what the clients were told, and
// prints a report. It exits 1 when a criterion fails (see package soak).
//
//	go run ./bench/cmd/soak                                   # 64 clients, 10 min, SQLite
//	go run ./bench/cmd/soak -db postgres                      # on $GOSTACK_TEST_POSTGRES
//	go run ./bench/cmd/soak -clients 32 -crash 5              # kill -9 five times
//	go run ./bench/cmd/soak -duration 2m -clients 16          # the short form CI runs
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gostack/gostack/bench/cmd/soak/soak"
)

func main() {
	var o soak.Options
	flag.StringVar(&o.DB, "db", "sqlite", "database: sqlite or postgres (a fresh database on $GOSTACK_TEST_POSTGRES)")
	flag.IntVar(&o.Clients, "clients", 64, "concurrent clients")
	flag.DurationVar(&o.Duration, "duration", 10*time.Minute, "how long the load runs")
	flag.IntVar(&o.Hosts, "hosts", 50, "fake hypervisors")
	flag.IntVar(&o.Crashes, "crash", 0, "times to kill -9 and restart gostack during the load")
	flag.IntVar(&o.Projects, "projects", 8, "projects the clients share (one member user each)")
	flag.StringVar(&o.Bin, "bin", "", "gostack binary (default: build ./cmd/gostack)")
	flag.Uint64Var(&o.Seed, "seed", 0, "seed of the mix (default: from the clock)")
	flag.BoolVar(&o.Keep, "keep", false, "keep the data dir and gostack's logs")
	out := flag.String("o", "", "also write the report to this file")
	flag.Parse()
	o.Postgres = os.Getenv("GOSTACK_TEST_POSTGRES")
	o.Log = os.Stderr

	// SIGINT and SIGTERM stop the load early; the process, data dir and
	// database are still cleaned up.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := soak.Run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	md := rep.Markdown()
	fmt.Print(md)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			os.Exit(1)
		}
	}
	if rep.Failed() {
		os.Exit(1)
	}
}
