// Command gostack is an OpenStack-compatible cloud in one binary.
package main

import (
	"os"

	"github.com/gostack/gostack/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
