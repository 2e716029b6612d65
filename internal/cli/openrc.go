package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func runOpenrc(args []string, stdout, stderr io.Writer) error {
	cfg, rest, err := newFlags("openrc", stderr, []string{"config", "data-dir"}).parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("openrc: unexpected arguments %v", rest)
	}
	b, err := os.ReadFile(filepath.Join(cfg.DataDir, "openrc"))
	if err != nil {
		return fmt.Errorf("no openrc in %s: start the cloud with 'gostack up --data-dir %s' first", cfg.DataDir, cfg.DataDir)
	}
	_, err = stdout.Write(b)
	return err
}
