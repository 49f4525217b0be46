// Package e2e tests the platform as it runs: real function processes, the
// dev broker and gateway, PostgreSQL, S3 and SMTP started by `make test`.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binDir holds the binaries built once for every test: the functions, the
// devstack and the operator commands.
var binDir string

// repoRoot is the checkout's top level.
var repoRoot = filepath.Join("..", "..")

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "ghiseu-e2e-bin-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	binDir = dir
	cmd := exec.Command("go", "build", "-o", dir+"/", "./functions/...", "./infra/cmd/...")
	cmd.Dir = repoRoot
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("build binaries: %w", err)
	}
	return m.Run(), nil
}
