package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"filippo.io/age"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/blob"
)

// Restorer restores a backup into an empty database.
type Restorer struct {
	Blob       *blob.Store
	Bucket     string
	Prefix     string // "backups" when empty
	Identities []age.Identity
	// PgRestore is the pg_restore binary ("pg_restore" from PATH when empty).
	PgRestore string
}

func (r *Restorer) prefix() string {
	if r.Prefix == "" {
		return "backups"
	}
	return strings.Trim(r.Prefix, "/")
}

// Manifest reads a backup's manifest; id "" is the newest complete backup.
func (r *Restorer) Manifest(ctx context.Context, id string) (Manifest, error) {
	if id == "" {
		ids, err := List(ctx, r.Blob, r.Bucket, r.prefix())
		if err != nil {
			return Manifest{}, err
		}
		if len(ids) == 0 {
			return Manifest{}, fmt.Errorf("no complete backup in %s/%s: %w", r.Bucket, r.prefix(), ErrNoManifest)
		}
		id = ids[0]
	}
	body, _, err := r.Blob.Get(ctx, r.Bucket, manifestKey(r.prefix(), id))
	if errors.Is(err, blob.ErrNotFound) {
		return Manifest{}, fmt.Errorf("backup %s: %w", id, ErrNoManifest)
	}
	if err != nil {
		return Manifest{}, fmt.Errorf("backup %s: read manifest: %w", id, err)
	}
	defer body.Close()
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(body, 16<<20)).Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("backup %s: manifest: %w", id, err)
	}
	if m.Version != ManifestVersion || m.ID != id || m.Dump.Key == "" || len(m.Dump.SHA256) != 64 {
		return Manifest{}, fmt.Errorf("backup %s: the manifest is not one this version writes (version %d, id %q)", id, m.Version, m.ID)
	}
	return m, nil
}

// Verify reads the stored dump whole and checks its size and checksum
// against the manifest, and that the key opens it, without writing
// anything anywhere.
func (r *Restorer) Verify(ctx context.Context, m Manifest) error {
	body, _, err := r.Blob.Get(ctx, r.Bucket, m.Dump.Key)
	if errors.Is(err, blob.ErrNotFound) {
		return fmt.Errorf("backup %s: the dump %s is missing: %w", m.ID, m.Dump.Key, ErrChecksum)
	}
	if err != nil {
		return fmt.Errorf("backup %s: %w", m.ID, err)
	}
	defer body.Close()
	h := sha256.New()
	n, err := io.Copy(h, body)
	if err != nil {
		return fmt.Errorf("backup %s: read the dump: %w", m.ID, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != m.Dump.Size || got != m.Dump.SHA256 {
		return fmt.Errorf("backup %s: %d bytes with SHA-256 %s, the manifest says %d bytes with %s: %w",
			m.ID, n, got, m.Dump.Size, m.Dump.SHA256, ErrChecksum)
	}
	return nil
}

// Restore verifies backup id ("" for the newest) and restores it into the
// empty database at targetURL (connecting as its owner), then checks every
// table's rows against the manifest.
func (r *Restorer) Restore(ctx context.Context, id, targetURL string) (Manifest, error) {
	m, err := r.Manifest(ctx, id)
	if err != nil {
		return Manifest{}, err
	}
	if err := r.Verify(ctx, m); err != nil {
		return Manifest{}, err
	}
	fail := func(err error) (Manifest, error) { return Manifest{}, fmt.Errorf("restore %s: %w", m.ID, err) }
	if err := requireEmpty(ctx, targetURL); err != nil {
		return fail(err)
	}
	body, _, err := r.Blob.Get(ctx, r.Bucket, m.Dump.Key)
	if err != nil {
		return fail(err)
	}
	defer body.Close()
	// The dump was checked whole just now; the plain hash is checked again
	// as it streams, so that a change between the two reads is caught.
	dec, err := age.Decrypt(body, r.Identities...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return fail(ErrKey)
		}
		return fail(fmt.Errorf("decrypt: %w", err))
	}
	plain := sha256.New()
	pgRestore := r.PgRestore
	if pgRestore == "" {
		pgRestore = "pg_restore"
	}
	cmd := exec.CommandContext(ctx, pgRestore, "--exit-on-error", "--no-owner", "--no-password", "--dbname="+targetURL)
	cmd.Stdin = io.TeeReader(dec, plain)
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{b: &stderr, max: 8 << 10}
	if err := cmd.Run(); err != nil {
		return fail(fmt.Errorf("pg_restore: %w: %s", err, strings.TrimSpace(stderr.String())))
	}
	if got := hex.EncodeToString(plain.Sum(nil)); got != m.Dump.PlainSHA256 {
		return fail(fmt.Errorf("the decrypted dump's SHA-256 is %s, the manifest says %s: %w", got, m.Dump.PlainSHA256, ErrChecksum))
	}
	if err := checkRows(ctx, targetURL, m.Database.Rows); err != nil {
		return fail(err)
	}
	return m, nil
}

// requireEmpty refuses a database that has tables of its own.
func requireEmpty(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var tables int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`).Scan(&tables)
	if err != nil {
		return err
	}
	if tables > 0 {
		return fmt.Errorf("%d tables: %w", tables, ErrNotEmpty)
	}
	return nil
}

// checkRows compares the restored database's tables with the counts.
func checkRows(ctx context.Context, url string, want map[string]int64) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	got, err := countRows(ctx, tx)
	if err != nil {
		return err
	}
	var diffs []string
	for t, n := range want {
		if got[t] != n {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows, want %d", t, got[t], n))
		}
	}
	for t := range got {
		if _, ok := want[t]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: not in the backup", t))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%s: %w", strings.Join(diffs, "; "), ErrRowCounts)
	}
	return nil
}
