// Command devstack runs the platform on one machine without Kubernetes.
//
//	devstack run                    the whole platform (make run)
//	devstack exec -- CMD            the backing services on free ports for CMD, then stop (make test)
//	devstack exec -platform -- CMD  the whole platform on free ports for CMD (the browser tests)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ghiseu/ghiseu/infra/localstack"
	"github.com/ghiseu/ghiseu/infra/seed"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	code := 0
	switch os.Args[1] {
	case "run":
		err = runCmd(os.Args[2:])
	case "exec":
		code, err = execCmd(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: devstack run [flags] | devstack exec [flags] -- command [args]")
	os.Exit(2)
}

// repoRoot is the checkout devstack runs in: the nearest parent with go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the ghiseu checkout (no go.mod above the current directory)")
		}
		dir = parent
	}
}

// execCmd starts the backing services in a temporary directory on free
// ports, runs the command with TEST_* variables pointing at them, and stops
// them again, whatever the command's outcome.
func execCmd(args []string) (int, error) {
	fs := flag.NewFlagSet("exec", flag.ExitOnError)
	keep := fs.Bool("keep", false, "keep the temporary data directory")
	platform := fs.Bool("platform", false, "start the whole platform (as `run` does), not only the backing services")
	_ = fs.Parse(args)
	cmdArgs := fs.Args()
	if len(cmdArgs) == 0 {
		usage()
	}
	root, err := repoRoot()
	if err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp("", "ghiseu-test-")
	if err != nil {
		return 0, err
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	if *platform {
		return execOnPlatform(root, dir, cmdArgs)
	}
	logf, err := os.Create(filepath.Join(dir, "services.log"))
	if err != nil {
		return 0, err
	}
	defer logf.Close()

	var ports localstack.Ports
	for _, p := range []*int{&ports.Postgres, &ports.S3, &ports.SMTP, &ports.MailUI} {
		if *p, err = localstack.FreePort(); err != nil {
			return 0, err
		}
	}
	in := &localstack.Infra{Dir: filepath.Join(dir, "data"), BinDir: filepath.Join(root, "bin"), Ports: ports, Log: logf}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := in.Start(ctx); err != nil {
		return 0, fmt.Errorf("start services (log: %s): %w", logf.Name(), err)
	}
	defer in.Stop()
	fmt.Fprintf(os.Stderr, "devstack: PostgreSQL %s, S3 %s, SMTP %s (logs in %s)\n",
		localstack.Addr(ports.Postgres), in.S3Endpoint(), in.SMTPAddr(), logf.Name())

	cmd := exec.Command(cmdArgs[0], cmdArgs[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(),
		"TEST_DATABASE_URL="+in.AdminURL("postgres"),
		"TEST_S3_ENDPOINT="+in.S3Endpoint(),
		"TEST_S3_ACCESS_KEY_ID="+in.Secrets["S3_ACCESS_KEY_ID"],
		"TEST_S3_SECRET_ACCESS_KEY="+in.Secrets["S3_SECRET_ACCESS_KEY"],
		"TEST_SMTP_ADDR="+in.SMTPAddr(),
		"TEST_MAILPIT_URL="+in.MailURL(),
	)
	return runCommand(cmd)
}

// runCommand runs cmd and returns its exit code.
func runCommand(cmd *exec.Cmd) (int, error) {
	// Ctrl-C reaches the command (same process group); we only wait for it.
	signal.Ignore(syscall.SIGINT)
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	return 0, err
}

// execOnPlatform starts the whole platform in dir on a free range of
// ports, as `run` does, runs the command with GHISEU_URL (the gateway),
// TEST_MAILPIT_URL, TEST_DATABASE_URL, DEMO_PASSWORD and DEMO_TOTP_SECRET, and stops it.
func execOnPlatform(root, dir string, cmdArgs []string) (int, error) {
	logf, err := os.Create(filepath.Join(dir, "devstack.log"))
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	// The gateway, the broker, four services and the functions after them.
	fns, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return 0, err
	}
	base, err := localstack.FreePortRange(10 + len(fns) + 4)
	if err != nil {
		return 0, err
	}
	log := slog.New(slog.NewTextHandler(logf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s := &stack{root: root, dir: filepath.Join(dir, "data"), base: base, log: log, quiet: true}
	defer s.stop()
	if err := s.start(context.Background(), []string{filepath.Join(root, "k8s", "base")}); err != nil {
		return 0, fmt.Errorf("start the platform (log: %s): %w", logf.Name(), err)
	}
	fmt.Fprintf(os.Stderr, "devstack: the platform at %s, Mailpit %s (logs in %s)\n", s.gatewayURL(), s.infra.MailURL(), filepath.Join(s.dir, "logs"))
	cmd := exec.Command(cmdArgs[0], cmdArgs[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(),
		"GHISEU_URL="+s.gatewayURL(),
		"TEST_MAILPIT_URL="+s.infra.MailURL(),
		"TEST_DATABASE_URL="+s.infra.AdminURL("ghiseu"),
		"DEMO_PASSWORD="+s.infra.Secrets["DEMO_PASSWORD"],
		"DEMO_TOTP_SECRET="+seed.DemoTOTPSecret,
	)
	return runCommand(cmd)
}
