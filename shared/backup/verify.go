package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Verification is the result of restoring a backup's dump into a scratch
// database and comparing its rows with the manifest.
type Verification struct {
	At    time.Time `json:"at"`
	OK    bool      `json:"ok"`
	Error string    `json:"error,omitempty"`
}

// verifier restores the dump, as pg_dump writes it, into a scratch
// database: the same bytes that are encrypted and stored, without the
// private key, which stays offline.
type verifier struct {
	admin, name, url string
	cmd              *exec.Cmd
	stdin            io.WriteCloser
	stderr           bytes.Buffer
	// failed is the first write error: a verification that breaks must
	// not break the backup, so later writes are dropped.
	failed error
}

func (d *Dumper) startVerification(ctx context.Context) (*verifier, error) {
	v := &verifier{admin: d.VerifyAdminURL, name: "ghiseu_verify_" + strings.ToLower(rand.Text()[:12])}
	conn, err := pgx.Connect(ctx, v.admin)
	if err != nil {
		return nil, fmt.Errorf("verification: %w", err)
	}
	defer conn.Close(context.Background())
	// The name is ours (letters and digits), not input.
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+v.name); err != nil {
		return nil, fmt.Errorf("verification: create the scratch database: %w", err)
	}
	u, err := url.Parse(v.admin)
	if err != nil {
		return nil, fmt.Errorf("verification: %w", err)
	}
	u.Path = "/" + v.name
	v.url = u.String()
	pgRestore := d.PgRestore
	if pgRestore == "" {
		pgRestore = "pg_restore"
	}
	v.cmd = exec.CommandContext(ctx, pgRestore, "--exit-on-error", "--no-owner", "--no-password", "--dbname="+v.url)
	v.cmd.Stderr = &limitedBuffer{b: &v.stderr, max: 8 << 10}
	if v.stdin, err = v.cmd.StdinPipe(); err == nil {
		err = v.cmd.Start()
	}
	if err != nil {
		v.drop()
		return nil, fmt.Errorf("verification: start pg_restore: %w", err)
	}
	return v, nil
}

func (v *verifier) Write(p []byte) (int, error) {
	if v.failed == nil {
		_, v.failed = v.stdin.Write(p)
	}
	return len(p), nil
}

// finish waits for pg_restore, compares the scratch database's rows with
// rows, and drops it.
func (v *verifier) finish(ctx context.Context, rows map[string]int64) Verification {
	defer v.drop()
	res := Verification{At: time.Now()}
	v.stdin.Close()
	err := v.cmd.Wait()
	switch {
	case err != nil:
		res.Error = fmt.Sprintf("pg_restore: %v: %s", err, strings.TrimSpace(v.stderr.String()))
	case v.failed != nil:
		res.Error = fmt.Sprintf("feeding pg_restore: %v", v.failed)
	default:
		if err := checkRows(ctx, v.url, rows); err != nil {
			res.Error = err.Error()
		} else {
			res.OK = true
		}
	}
	return res
}

// drop removes the scratch database, whatever happened.
func (v *verifier) drop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if conn, err := pgx.Connect(ctx, v.admin); err == nil {
		conn.Exec(ctx, "DROP DATABASE IF EXISTS "+v.name+" WITH (FORCE)")
		conn.Close(ctx)
	}
}
