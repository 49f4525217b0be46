package localstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is a private PostgreSQL cluster in DataDir, listening on 127.0.0.1.
type Postgres struct {
	DataDir string
	Port    int
	// Password is the superuser's password (scram-sha-256 over TCP).
	Password string
	Log      io.Writer

	proc *Process
}

// SuperuserURL connects to database name as the superuser "postgres".
func (pg *Postgres) SuperuserURL(name string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword("postgres", pg.Password), Host: Addr(pg.Port), Path: "/" + name, RawQuery: "sslmode=disable"}
	return u.String()
}

// PostgresBinDir finds the PostgreSQL server binaries: $PG_BINDIR, or the
// newest /usr/lib/postgresql/*/bin.
func PostgresBinDir() (string, error) {
	if d := os.Getenv("PG_BINDIR"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries not found (set PG_BINDIR)")
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// EnsurePostgresInstalled installs Debian's PostgreSQL when it is missing and
// we are root; otherwise it says exactly what to run.
func EnsurePostgresInstalled(log io.Writer) (string, error) {
	if d, err := PostgresBinDir(); err == nil {
		return d, nil
	}
	const install = "apt-get update && apt-get install -y postgresql"
	if os.Geteuid() != 0 {
		return "", fmt.Errorf("PostgreSQL is not installed: run `sudo sh -c '%s'`, or set DATABASE_URL to a server you have", install)
	}
	fmt.Fprintln(log, "PostgreSQL is not installed; installing it:", install)
	cmd := exec.Command("sh", "-c", install)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("install PostgreSQL: %w", err)
	}
	return PostgresBinDir()
}

// runAs is the account PostgreSQL runs as: itself when not root (PostgreSQL
// refuses root), else the system "postgres" user.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root and there is no 'postgres' user to run it as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// Start initialises the cluster on first use and starts the server. A second
// Start over the same DataDir reuses its data.
func (pg *Postgres) Start(ctx context.Context) error {
	bin, err := EnsurePostgresInstalled(pg.Log)
	if err != nil {
		return err
	}
	cred, err := runAs()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(pg.DataDir, 0o700); err != nil {
		return err
	}
	socketDir := filepath.Join(pg.DataDir, "socket")
	if _, err := os.Stat(filepath.Join(pg.DataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := pg.initdb(bin, cred); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(socketDir, 0o700); err != nil {
		return err
	}
	if err := chownTree(pg.DataDir, cred, pg.Log); err != nil {
		return err
	}
	// A server killed without a clean stop leaves its pid file; PostgreSQL
	// checks it against running processes, so a stale one is harmless.
	pg.proc, err = Start(Spec{
		Name: "postgres", Path: filepath.Join(bin, "postgres"), Log: pg.Log, User: cred,
		Args: []string{"-D", pg.DataDir, "-p", strconv.Itoa(pg.Port), "-k", socketDir,
			"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "fsync=on"},
		StopSignal: syscall.SIGINT, // fast shutdown: roll back sessions, checkpoint, exit
	})
	if err != nil {
		return err
	}
	if err := pg.proc.WaitTCP(ctx, Addr(pg.Port)); err != nil {
		return err
	}
	// Listening is not accepting queries yet (startup recovery): wait for a query.
	return waitQuery(ctx, pg.SuperuserURL("postgres"), pg.proc)
}

func (pg *Postgres) initdb(bin string, cred *syscall.Credential) error {
	pwfile := filepath.Join(filepath.Dir(pg.DataDir), ".pgpass-init")
	if err := os.WriteFile(pwfile, []byte(pg.Password+"\n"), 0o600); err != nil {
		return err
	}
	defer os.Remove(pwfile)
	if err := chownTree(pg.DataDir, cred, pg.Log); err != nil {
		return err
	}
	if cred != nil {
		if err := os.Chown(pwfile, int(cred.Uid), int(cred.Gid)); err != nil {
			return err
		}
	}
	cmd := exec.Command(filepath.Join(bin, "initdb"), "-D", pg.DataDir, "-U", "postgres", "--pwfile", pwfile,
		"--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8")
	cmd.Stdout, cmd.Stderr = pg.Log, pg.Log
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("initdb %s: %w", pg.DataDir, err)
	}
	return nil
}

// Stop shuts the server down cleanly.
func (pg *Postgres) Stop() error {
	if pg.proc == nil {
		return nil
	}
	return pg.proc.Stop(30 * time.Second)
}

func waitQuery(ctx context.Context, dsn string, p *Process) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(cctx, dsn)
		if err == nil {
			err = conn.Ping(cctx)
			conn.Close(cctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-p.Done():
			return fmt.Errorf("postgres exited: %v", p.Err())
		case <-ctx.Done():
			return fmt.Errorf("postgres not accepting queries: %w (last error: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// chownTree gives the PostgreSQL account the data directory, and makes sure
// it can reach it: a test's temporary directory is private to root.
func chownTree(dir string, cred *syscall.Credential, log io.Writer) error {
	if cred == nil {
		return nil
	}
	for d := filepath.Dir(dir); d != "/" && d != "."; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return err
		}
		if st.Mode().Perm()&0o001 == 0 {
			// Traverse only (no listing), and said aloud: it changes a directory
			// outside the data directory.
			fmt.Fprintf(log, "localstack: letting the postgres user traverse %s (chmod o+x) to reach %s\n", d, dir)
			if err := os.Chmod(d, st.Mode().Perm()|0o011); err != nil {
				return err
			}
		}
	}
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(cred.Uid), int(cred.Gid))
	})
}
