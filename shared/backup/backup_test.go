package backup_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/infra/localstack"
	"github.com/ghiseu/ghiseu/shared/backup"
	"github.com/ghiseu/ghiseu/shared/backup/retention"
	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/blob/blobtest"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

type fixture struct {
	source   *dbtest.DB
	blob     *blob.Store
	bucket   string
	bin      string
	identity *age.X25519Identity
	dumper   *backup.Dumper
	restorer *backup.Restorer
}

func setUp(t testing.TB) fixture {
	t.Helper()
	ctx := context.Background()
	b := blobtest.New(t)
	bin, err := localstack.PostgresBinDir()
	if err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{source: dbtest.New(t), blob: b, bucket: blobtest.Bucket(t, b, "backups"), bin: bin, identity: id}
	// Some rows, some of them with Romanian letters and row-level security.
	for _, q := range []string{
		`INSERT INTO institution (id, cif, name) VALUES ('11111111-1111-1111-1111-111111111111', '4358142', 'Primăria Municipiului Lugoj')`,
		`INSERT INTO department (institution_id, id, code, name, kind) VALUES ('11111111-1111-1111-1111-111111111111',
			'22222222-2222-2222-2222-222222222222', 'RRPA', 'Registratură, Relații cu Publicul și Arhivă', 'service')`,
		`INSERT INTO account (id, kind, email, display_name) SELECT gen_random_uuid(), 'person', 'p' || i || '@example.ro', 'Ștefan ' || i
			FROM generate_series(1, 500) i`,
	} {
		if _, err := f.source.Owner.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	f.dumper = &backup.Dumper{DatabaseURL: f.source.OwnerURL, PgDump: filepath.Join(bin, "pg_dump"), Blob: b, Bucket: f.bucket,
		Recipients: []age.Recipient{id.Recipient()}}
	f.dumper.VerifyAdminURL, f.dumper.PgRestore = os.Getenv("TEST_DATABASE_URL"), filepath.Join(bin, "pg_restore")
	f.restorer = &backup.Restorer{Blob: b, Bucket: f.bucket, Identities: []age.Identity{id}, PgRestore: filepath.Join(bin, "pg_restore")}
	return f
}

// tableDigests is, per table, its row count and a digest of its rows.
func tableDigests(t *testing.T, dbURL string) map[string]string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tbl := range tables {
		var digest string
		err := conn.QueryRow(ctx, `SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, E'\n' ORDER BY r::text)), '') FROM `+tbl+` r`).Scan(&digest)
		if err != nil {
			t.Fatalf("%s: %v", tbl, err)
		}
		out[tbl] = digest
	}
	return out
}

// A backup restores into an empty database with every table's rows
// identical, and its manifest says what it holds.
func TestBackupRestoresIdentically(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	m, err := f.dumper.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.Verification == nil || !m.Verification.OK {
		t.Errorf("verification: %+v", m.Verification)
	}
	if m.Database.Rows["public.account"] != 500 || m.Dump.Size == 0 || m.Dump.PlainSize == 0 || m.Database.WALPosition == "" ||
		!strings.HasPrefix(m.Database.ServerVersion, "1") {
		t.Fatalf("manifest: %+v", m)
	}
	ids, err := backup.List(ctx, f.blob, f.bucket, "")
	if err != nil || len(ids) != 1 || ids[0] != m.ID {
		t.Fatalf("complete backups: %v %v", ids, err)
	}
	// The stored dump is encrypted: no clear text of the rows in it.
	body, _, err := f.blob.Get(ctx, f.bucket, m.Dump.Key)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(body)
	body.Close()
	if bytes.Contains(stored, []byte("Lugoj")) || bytes.Contains(stored, []byte("PGDMP")) {
		t.Error("the stored dump is readable without the key")
	}

	target := dbtest.Empty(t)
	got, err := f.restorer.Restore(ctx, "", target)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != m.ID {
		t.Errorf("restored %s, want the newest, %s", got.ID, m.ID)
	}
	want, have := tableDigests(t, f.source.OwnerURL), tableDigests(t, target)
	if len(want) < 20 {
		t.Fatalf("only %d tables in the source", len(want))
	}
	for tbl, d := range want {
		if have[tbl] != d {
			t.Errorf("%s: restored %s, want %s", tbl, have[tbl], d)
		}
	}
	// A second restore into the same, no longer empty, database is refused.
	if _, err := f.restorer.Restore(ctx, m.ID, target); !errors.Is(err, backup.ErrNotEmpty) {
		t.Errorf("restore into a full database: %v", err)
	}
}

// A corrupted backup, a missing manifest and a wrong key are each refused
// with a clear error, before the target database is touched.
func TestRestoreRefusesBadBackups(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	m, err := f.dumper.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		spoil   func(t *testing.T)
		id      string
		want    error
		message string
	}{
		{"a wrong key", func(t *testing.T) { f.restorer.Identities = []age.Identity{other} }, m.ID, backup.ErrKey, "cannot be decrypted"},
		{"one byte changed", func(t *testing.T) {
			f.restorer.Identities = []age.Identity{f.identity}
			body, _, err := f.blob.Get(ctx, f.bucket, m.Dump.Key)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(body)
			body.Close()
			b[len(b)/2] ^= 0x01
			if _, err := f.blob.Put(ctx, f.bucket, m.Dump.Key, bytes.NewReader(b), "application/octet-stream"); err != nil {
				t.Fatal(err)
			}
		}, m.ID, backup.ErrChecksum, "does not match"},
		{"no manifest", func(t *testing.T) {
			if err := f.blob.Delete(ctx, f.bucket, "backups/"+m.ID+"/manifest.json"); err != nil {
				t.Fatal(err)
			}
		}, m.ID, backup.ErrNoManifest, "incomplete"},
		{"no complete backup at all", func(t *testing.T) {}, "", backup.ErrNoManifest, "no complete backup"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.spoil(t)
			target := dbtest.Empty(t)
			_, err := f.restorer.Restore(ctx, tc.id, target)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("restore: %v, want %v saying %q", err, tc.want, tc.message)
			}
			if tables := tableDigests(t, target); len(tables) != 0 {
				t.Errorf("the refused restore left %d tables", len(tables))
			}
		})
	}
}

// A pg_dump that dies mid-stream leaves no backup that looks complete: no
// manifest, and no dump object either.
func TestKilledDumpLeavesNoCompleteBackup(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	// pg_dump's output cut after 16 KiB and the process gone with SIGKILL's
	// status, as when the OOM killer takes it.
	script := filepath.Join(t.TempDir(), "pg_dump")
	body := "#!/bin/sh\n\"" + filepath.Join(f.bin, "pg_dump") + "\" \"$@\" | head -c 16384\nexit 137\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	f.dumper.PgDump = script
	f.dumper.Now = func() time.Time { return time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC) }
	if _, err := f.dumper.Backup(ctx); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup with a killed pg_dump: %v, want an error naming pg_dump", err)
	}
	ids, err := backup.List(ctx, f.blob, f.bucket, "")
	if err != nil || len(ids) != 0 {
		t.Fatalf("complete backups after the failure: %v %v", ids, err)
	}
	for o, err := range f.blob.List(ctx, f.bucket, "backups/") {
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("left behind: %s (%d bytes)", o.Key, o.Size)
	}
	if _, err := f.restorer.Restore(ctx, backup.IDOf(f.dumper.Now()), dbtest.Empty(t)); !errors.Is(err, backup.ErrNoManifest) {
		t.Errorf("restore of the failed backup: %v", err)
	}
}

// The disaster drill: data and documents, a backup, the database and the
// documents bucket destroyed, a restore into empty ones: every table's rows
// and every document's bytes identical. A second backup copies no document
// again.
func TestDisasterDrill(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	docsBucket := blobtest.Bucket(t, f.blob, "documents")
	originals := map[string][]byte{}
	for i := range 5 {
		b := []byte(strings.Repeat("Cerere de urbanism, pagina ", 200*(i+1)))
		o, err := f.blob.PutContentAddressed(ctx, docsBucket, "11111111-1111-1111-1111-111111111111", bytes.NewReader(b), "application/pdf")
		if err != nil {
			t.Fatal(err)
		}
		originals[o.Key] = b
	}
	f.dumper.Documents, f.dumper.DocumentsBucket = f.blob, docsBucket
	f.dumper.Now = func() time.Time { return time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC) }
	m, err := f.dumper.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.Documents == nil || m.Documents.Objects != 5 || m.Documents.Copied != 5 {
		t.Fatalf("documents of the backup: %+v", m.Documents)
	}
	f.dumper.Now = func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) }
	again, err := f.dumper.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again.Documents.Objects != 5 || again.Documents.Copied != 0 {
		t.Errorf("the second backup: %+v, want the 5 documents, none copied again", again.Documents)
	}
	// A document changed behind the platform's back: the backup keeps its
	// good copy, and a new document damaged before its first backup is
	// reported, not copied.
	var first string
	for key := range originals {
		first = key
		break
	}
	if _, err := f.blob.Put(ctx, docsBucket, first, strings.NewReader("altered"), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	damaged := "11111111-1111-1111-1111-111111111111/sha256/00/" + strings.Repeat("0", 64)
	if _, err := f.blob.Put(ctx, docsBucket, damaged, strings.NewReader("not what the key says"), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	f.dumper.Now = func() time.Time { return time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) }
	third, err := f.dumper.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if third.Documents.Objects != 5 || len(third.Documents.Damaged) != 1 || third.Documents.Damaged[0] != damaged {
		t.Errorf("the third backup: %+v, want the 5 good documents and the damaged one reported", third.Documents)
	}
	want := tableDigests(t, f.source.OwnerURL)

	// The disaster: a new, empty database and documents bucket.
	target := dbtest.Empty(t)
	newBucket := blobtest.Bucket(t, f.blob, "documents")
	restored, err := f.restorer.Restore(ctx, "", target)
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.restorer.RestoreDocuments(ctx, restored, f.blob, newBucket)
	if err != nil || n != 5 {
		t.Fatalf("documents restored: %d, %v", n, err)
	}
	have := tableDigests(t, target)
	for tbl, d := range want {
		if have[tbl] != d {
			t.Errorf("%s: restored %s, want %s", tbl, have[tbl], d)
		}
	}
	for key, b := range originals {
		body, o, err := f.blob.Get(ctx, newBucket, key)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		got, _ := io.ReadAll(body)
		body.Close()
		if !bytes.Equal(got, b) || o.SHA256 == "" {
			t.Errorf("%s: %d bytes restored (checksum %q), want %d identical", key, len(got), o.SHA256, len(b))
		}
	}
}

// A verification that fails is recorded, and the backup stays: the dump
// may well be good, and the night's backup is not thrown away for it. The
// scratch database is dropped either way.
func TestFailedVerificationIsRecorded(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	script := filepath.Join(t.TempDir(), "pg_restore")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncat >/dev/null\necho 'pg_restore: error: could not restore' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.dumper.PgRestore = script
	m, err := f.dumper.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.Verification == nil || m.Verification.OK || !strings.Contains(m.Verification.Error, "could not restore") {
		t.Errorf("verification: %+v", m.Verification)
	}
	if ids, err := backup.List(ctx, f.blob, f.bucket, ""); err != nil || len(ids) != 1 {
		t.Errorf("complete backups: %v %v", ids, err)
	}
	conn, err := pgx.Connect(ctx, os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var scratch int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname LIKE 'ghiseu_verify_%'`).Scan(&scratch); err != nil {
		t.Fatal(err)
	}
	if scratch != 0 {
		t.Errorf("%d scratch databases left", scratch)
	}
}

// Prune keeps what the policy keeps and removes the rest, manifest first,
// and the leftovers of a backup that never finished.
func TestPruneRemovesWhatThePolicyDoesNotKeep(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	f.dumper.VerifyAdminURL = ""
	days := []time.Time{
		time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC),
	}
	for _, d := range days {
		f.dumper.Now = func() time.Time { return d }
		if _, err := f.dumper.Backup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// A backup that died on the 19th left its dump and no manifest.
	if _, err := f.blob.Put(ctx, f.bucket, "backups/20261119T000000.000Z/dump.age", strings.NewReader("partial"), "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	got, err := backup.Prune(ctx, f.blob, f.bucket, "", retention.Policy{Daily: 2}, now, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Removed, ",") != "20261120T000000.000Z" || strings.Join(got.Incomplete, ",") != "20261119T000000.000Z" {
		t.Fatalf("pruned %+v", got)
	}
	ids, err := backup.List(ctx, f.blob, f.bucket, "")
	if err != nil || strings.Join(ids, ",") != "20261122T000000.000Z,20261121T000000.000Z" {
		t.Fatalf("left: %v %v", ids, err)
	}
	for o, err := range f.blob.List(ctx, f.bucket, "backups/") {
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(o.Key, "20261120") || strings.Contains(o.Key, "20261119") {
			t.Errorf("left behind: %s", o.Key)
		}
	}
}
