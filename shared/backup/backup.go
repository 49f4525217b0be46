// Package backup makes and restores the database's logical backups: the
// real pg_dump (custom format), streamed through age encryption into an
// S3 bucket, never staged whole in memory or on disk, with a manifest
// written last. A backup without a manifest is incomplete and is never
// restored; restore checks the manifest's checksum before it touches the
// target database, and the row counts after.
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
	"path"
	"sort"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/blob"
)

// Errors, usable with errors.Is.
var (
	// ErrNoManifest: the backup has no manifest (it did not finish), or
	// there is no such backup.
	ErrNoManifest = errors.New("the backup has no manifest: it is incomplete and is never restored")
	// ErrChecksum: the stored dump is not the one the manifest describes.
	ErrChecksum = errors.New("the backup's dump does not match its manifest's checksum")
	// ErrKey: none of the given identities opens the backup.
	ErrKey = errors.New("the backup cannot be decrypted with the given key")
	// ErrNotEmpty: restore goes into an empty database only.
	ErrNotEmpty = errors.New("the target database is not empty")
	// ErrRowCounts: the restored tables do not hold the rows the manifest counted.
	ErrRowCounts = errors.New("the restored row counts differ from the manifest's")
)

// ManifestVersion is the manifest format this package writes and reads.
const ManifestVersion = 1

// Manifest says what a backup holds. It is written last: its presence is
// what makes a backup complete.
type Manifest struct {
	Version    int       `json:"version"`
	ID         string    `json:"id"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	Database   Database  `json:"database"`
	Dump       Object    `json:"dump"`
	// Documents is nil when the backup was made without them.
	Documents *Documents `json:"documents,omitempty"`
	// Verification is nil when the backup was made without one.
	Verification *Verification `json:"verification,omitempty"`
}

// Database is what was dumped, read in the dump's own snapshot.
type Database struct {
	ServerVersion string `json:"serverVersion"`
	// WALPosition is where the WAL was when the snapshot was taken: a
	// point-in-time recovery to after it holds at least this backup.
	WALPosition string           `json:"walPosition"`
	Rows        map[string]int64 `json:"rows"` // schema.table -> rows
}

// Object is a stored, encrypted file of the backup.
type Object struct {
	Key string `json:"key"`
	// Size and SHA256 are of the stored (encrypted) bytes.
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// PlainSize and PlainSHA256 are of the dump before encryption.
	PlainSize   int64  `json:"plainSize"`
	PlainSHA256 string `json:"plainSha256"`
	Format      string `json:"format"`     // "pg_dump custom"
	Encryption  string `json:"encryption"` // "age"
}

// Dumper makes backups of one database into one bucket.
type Dumper struct {
	// DatabaseURL connects as a role that reads every row: a superuser or
	// one with BYPASSRLS (row-level security is forced on tenant tables).
	DatabaseURL string
	// PgDump is the pg_dump binary ("pg_dump" from PATH when empty); it
	// should be the server's major version or newer.
	PgDump     string
	Blob       *blob.Store
	Bucket     string
	Recipients []age.Recipient
	// VerifyAdminURL, when set, connects to the server as a superuser: the
	// dump is restored, as it is made, into a scratch database there, whose
	// rows are compared with the manifest's (Manifest.Verification).
	VerifyAdminURL string
	// PgRestore is the pg_restore binary for the verification.
	PgRestore string
	// Documents and DocumentsBucket, when set, are the documents store the
	// backup copies (incrementally, by content) beside the dump.
	Documents       *blob.Store
	DocumentsBucket string
	// Prefix is where backups go in the bucket ("backups" when empty).
	Prefix string
	// Now gives the time; time.Now when nil.
	Now func() time.Time
}

func (d *Dumper) prefix() string {
	if d.Prefix == "" {
		return "backups"
	}
	return strings.Trim(d.Prefix, "/")
}

func (d *Dumper) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

// idLayout makes backup ids: sortable, valid key parts, and to the
// millisecond, so that a backup asked for right after the nightly one does
// not take its id (and its keys).
const idLayout = "20060102T150405.000Z"

// IDOf is the id of a backup started at t.
func IDOf(t time.Time) string { return t.UTC().Format(idLayout) }

// Backup dumps the database and stores it, encrypted, then writes the
// manifest. If anything fails (pg_dump dies, storage refuses), no manifest
// is written and the partial dump is removed or never completed: the
// backup does not exist.
func (d *Dumper) Backup(ctx context.Context) (Manifest, error) {
	m := Manifest{Version: ManifestVersion, StartedAt: d.now()}
	m.ID = IDOf(m.StartedAt)
	fail := func(err error) (Manifest, error) { return Manifest{}, fmt.Errorf("backup %s: %w", m.ID, err) }

	// A repeatable-read transaction exports its snapshot: pg_dump dumps
	// exactly it, and the rows are counted in it, so the manifest's counts
	// are the dump's. It stays open until pg_dump is done.
	conn, err := pgx.Connect(ctx, d.DatabaseURL)
	if err != nil {
		return fail(err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback(context.Background())
	var snapshot string
	err = tx.QueryRow(ctx, `SELECT pg_export_snapshot(), current_setting('server_version'), pg_current_wal_lsn()::text`).
		Scan(&snapshot, &m.Database.ServerVersion, &m.Database.WALPosition)
	if err != nil {
		return fail(err)
	}
	if m.Database.Rows, err = countRows(ctx, tx); err != nil {
		return fail(err)
	}

	m.Dump = Object{Key: path.Join(d.prefix(), m.ID, "dump.age"), Format: "pg_dump custom", Encryption: "age"}
	pgDump := d.PgDump
	if pgDump == "" {
		pgDump = "pg_dump"
	}
	cmd := exec.CommandContext(ctx, pgDump, "--format=custom", "--snapshot="+snapshot, "--no-password", "--dbname="+d.DatabaseURL)
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{b: &stderr, max: 8 << 10}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	if err := cmd.Start(); err != nil {
		return fail(fmt.Errorf("start pg_dump: %w", err))
	}

	// pg_dump's output -> plain hash -> age -> pipe -> S3 (multipart). The
	// pipe is closed with pg_dump's failure, if any, so that the upload is
	// aborted rather than completed with a truncated dump.
	var verify *verifier
	if d.VerifyAdminURL != "" {
		if verify, err = d.startVerification(ctx); err != nil {
			return fail(err)
		}
	}
	pr, pw := io.Pipe()
	plain := sha256.New()
	var plainSize int64
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		enc, err := age.Encrypt(pw, d.Recipients...)
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			pw.CloseWithError(err)
			return
		}
		to := []io.Writer{enc, plain}
		if verify != nil {
			to = append(to, verify)
		}
		n, copyErr := io.Copy(io.MultiWriter(to...), out)
		plainSize = n
		if copyErr != nil {
			// Nobody reads pg_dump any more: it would block for ever.
			cmd.Process.Kill()
		}
		waitErr := cmd.Wait()
		switch {
		case copyErr != nil:
			pw.CloseWithError(fmt.Errorf("read pg_dump: %w", copyErr))
		case waitErr != nil:
			pw.CloseWithError(fmt.Errorf("pg_dump: %w: %s", waitErr, strings.TrimSpace(stderr.String())))
		default:
			if err := enc.Close(); err != nil {
				pw.CloseWithError(err)
				return
			}
			pw.Close()
		}
	}()
	stored, err := d.Blob.Put(ctx, d.Bucket, m.Dump.Key, pr, "application/octet-stream")
	// Whatever happened, the reading side is done: unblock the writer,
	// and wait for it to be done with pg_dump and the verification.
	pr.CloseWithError(errors.New("upload ended"))
	<-copied
	if verify != nil {
		v := verify.finish(ctx, m.Database.Rows)
		m.Verification = &v
	}
	if err != nil {
		return fail(err)
	}
	m.Dump.Size, m.Dump.SHA256 = stored.Size, stored.SHA256
	m.Dump.PlainSize, m.Dump.PlainSHA256 = plainSize, hex.EncodeToString(plain.Sum(nil))

	if d.Documents != nil {
		docs, err := d.copyDocuments(ctx, m.ID)
		if err != nil {
			return fail(err)
		}
		m.Documents = &docs
	}

	m.FinishedAt = d.now()
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fail(err)
	}
	if _, err := d.Blob.Put(ctx, d.Bucket, manifestKey(d.prefix(), m.ID), bytes.NewReader(body), "application/json"); err != nil {
		return fail(fmt.Errorf("write manifest: %w", err))
	}
	return m, nil
}

func manifestKey(prefix, id string) string { return path.Join(prefix, id, "manifest.json") }

// countRows counts every table's rows of the schemas the platform owns.
func countRows(ctx context.Context, tx pgx.Tx) (map[string]int64, error) {
	rows, err := tx.Query(ctx, `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
		ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	counts := map[string]int64{}
	for _, t := range tables {
		var n int64
		// The name comes from the catalogue, quoted by quote_ident.
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		counts[t] = n
	}
	return counts, nil
}

// limitedBuffer keeps the first max bytes written (pg_dump's stderr).
type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// List returns the ids of the complete backups (those with a manifest),
// newest first.
func List(ctx context.Context, b *blob.Store, bucket, prefix string) ([]string, error) {
	if prefix == "" {
		prefix = "backups"
	}
	var ids []string
	for o, err := range b.List(ctx, bucket, strings.Trim(prefix, "/")+"/") {
		if err != nil {
			return nil, fmt.Errorf("list backups: %w", err)
		}
		if path.Base(o.Key) == "manifest.json" {
			ids = append(ids, path.Base(path.Dir(o.Key)))
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(ids)))
	return ids, nil
}

// DatabaseBrief is what status pages show of a backup's database.
type DatabaseBrief struct {
	ServerVersion string `json:"serverVersion"`
	WALPosition   string `json:"walPosition"`
	Tables        int    `json:"tables"`
}
