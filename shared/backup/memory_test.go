package backup_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"filippo.io/age"

	"github.com/ghiseu/ghiseu/shared/backup"
	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/blob/blobtest"
)

// childEnv carries the child's configuration (see TestBackupChild).
const childEnv = "GHISEU_BACKUP_CHILD"

// childConfig is what the child process backs up.
type childConfig struct {
	DatabaseURL, PgDump, Bucket, DocumentsBucket, Recipient string
	S3                                                      blob.StoreConfig
}

// A backup holds memory bounded by its buffers, not by what it backs up:
// a process limited to 64 MiB (GOMEMLIMIT) backs up a database and a
// documents bucket of more than twice the bound together, and its
// peak resident memory, read by the kernel (getrusage), stays under 128
// MiB (buffers: S3 parts of 5 MiB, two in flight; the rest is the runtime
// and the test binary).
func TestBackupMemoryIsBounded(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	// About 300 MB of table (random hex text; the dump compresses it about 2:1).
	_, err := f.source.Owner.Exec(ctx, `CREATE TABLE bulk (id int, body text);
		INSERT INTO bulk SELECT i, (SELECT string_agg(md5(random()::text || i || j), '') FROM generate_series(1, 256) j)
		FROM generate_series(1, 36000) i`)
	if err != nil {
		t.Fatal(err)
	}
	docs := blobtest.Bucket(t, f.blob, "documents")
	// About 200 MB of documents that do not compress.
	for range 4 {
		if _, err := f.blob.PutContentAddressed(ctx, docs, "inst", io.LimitReader(rand.Reader, 50<<20), "application/pdf"); err != nil {
			t.Fatal(err)
		}
	}
	s3 := blobtest.Config(t)
	s3.PartSize, s3.UploadConcurrency = 5<<20, 2
	cfg, err := json.Marshal(childConfig{DatabaseURL: f.source.OwnerURL, PgDump: f.dumper.PgDump, Bucket: f.bucket,
		DocumentsBucket: docs, Recipient: f.identity.Recipient().String(), S3: s3})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+string(cfg), "GOMEMLIMIT=64MiB")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("child backup: %v\n%s", err, out.String())
	}
	peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024 // kilobytes on Linux
	var m backup.Manifest
	if err := json.Unmarshal(bytes.TrimSpace(lastLine(out.Bytes())), &m); err != nil {
		t.Fatalf("child output: %v\n%s", err, out.String())
	}
	total := m.Dump.PlainSize + m.Documents.Bytes
	t.Logf("backed up %d MB (dump %d MB, documents %d MB) with a peak of %d MiB resident", total>>20, m.Dump.PlainSize>>20,
		m.Documents.Bytes>>20, peak>>20)
	const bound = 128 << 20
	if total < 2*bound {
		t.Fatalf("only %d MB backed up: the test proves nothing", total>>20)
	}
	if peak > bound {
		t.Errorf("peak resident memory %d MiB, want under %d MiB", peak>>20, bound>>20)
	}
}

func lastLine(b []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		if bytes.HasPrefix(lines[i], []byte("{")) {
			return lines[i]
		}
	}
	return nil
}

// TestMain runs the package's tests, or, in the child process of
// TestBackupMemoryIsBounded, only the backup its environment names.
func TestMain(m *testing.M) {
	if raw := os.Getenv(childEnv); raw != "" {
		if err := backUpAsChild(raw); err != nil {
			fmt.Fprintln(os.Stderr, "child backup:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// backUpAsChild backs up what cfg names and prints the manifest.
func backUpAsChild(raw string) error {
	var cfg childConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return err
	}
	ctx := context.Background()
	store, err := blob.New(ctx, cfg.S3)
	if err != nil {
		return err
	}
	r, err := age.ParseX25519Recipient(cfg.Recipient)
	if err != nil {
		return err
	}
	d := &backup.Dumper{DatabaseURL: cfg.DatabaseURL, PgDump: cfg.PgDump, Blob: store, Bucket: cfg.Bucket,
		Recipients: []age.Recipient{r}, Documents: store, DocumentsBucket: cfg.DocumentsBucket, Prefix: "memory"}
	m, err := d.Backup(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}
