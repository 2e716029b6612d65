package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func runOpenrc(args []string, stdout, stderr io.Writer) error {
	cfg, _, err := loadConfig("openrc", args, stderr)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(cfg.DataDir, "openrc"))
	if err != nil {
		return fmt.Errorf("no openrc in %s: start the cloud with 'gostack up --data-dir %s' first", cfg.DataDir, cfg.DataDir)
	}
	_, err = stdout.Write(b)
	return err
}
