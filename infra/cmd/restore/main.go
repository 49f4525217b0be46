// Command restore restores a backup made by the nightly backup into an
// empty database and an empty documents bucket:
//
//	restore [-backup ID] [-verify-only]
//
// It takes the newest complete backup unless -backup names one, refuses a
// backup whose manifest is missing or does not match the stored dump, or
// that the key does not open, and checks every table's rows and every
// document's checksum once restored. -verify-only checks the backup and
// restores nothing.
//
// Configuration (environment):
//
//	RESTORE_DATABASE_URL        the empty database, as its owner (a superuser: the dump creates extensions)
//	BACKUP_S3_ENDPOINT, BACKUP_S3_REGION, BACKUP_S3_ACCESS_KEY_ID, BACKUP_S3_SECRET_ACCESS_KEY
//	S3_BUCKET_BACKUPS           the backup bucket (ghiseu-backups), as nightly-backup names it
//	BACKUP_AGE_IDENTITY_FILE    the age identity (private key) file the backups were encrypted to
//	S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_BUCKET_DOCUMENTS   where documents go back
//	PG_RESTORE                  the pg_restore binary (pg_restore from PATH)
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"filippo.io/age"
	"github.com/kelseyhightower/envconfig"

	"github.com/ghiseu/ghiseu/shared/backup"
	"github.com/ghiseu/ghiseu/shared/blob"
)

type config struct {
	TargetURL string           `envconfig:"RESTORE_DATABASE_URL"`
	Backup    blob.StoreConfig `envconfig:"BACKUP"`
	Bucket    string           `envconfig:"S3_BUCKET_BACKUPS" default:"ghiseu-backups"`
	Identity  string           `envconfig:"BACKUP_AGE_IDENTITY_FILE" required:"true"`
	DocBucket string           `envconfig:"S3_BUCKET_DOCUMENTS"`
	PgRestore string           `envconfig:"PG_RESTORE" default:"pg_restore"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "restore:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	id := fs.String("backup", "", "the backup to restore (the newest complete one when empty)")
	verifyOnly := fs.Bool("verify-only", false, "check the backup, restore nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var cfg config
	if err := envconfig.Process("", &cfg); err != nil {
		return err
	}
	identities, err := readIdentities(cfg.Identity)
	if err != nil {
		return err
	}
	store, err := blob.New(ctx, cfg.Backup)
	if err != nil {
		return fmt.Errorf("backup bucket: %w", err)
	}
	r := &backup.Restorer{Blob: store, Bucket: cfg.Bucket, Identities: identities, PgRestore: cfg.PgRestore}
	start := time.Now()
	m, err := r.Manifest(ctx, *id)
	if err != nil {
		return err
	}
	if err := r.Verify(ctx, m); err != nil {
		return err
	}
	fmt.Fprintf(out, "backup %s (taken %s, PostgreSQL %s): dump %d bytes, checksum and manifest match\n",
		m.ID, m.StartedAt.Format(time.RFC3339), m.Database.ServerVersion, m.Dump.Size)
	if *verifyOnly {
		return nil
	}
	if cfg.TargetURL == "" {
		return fmt.Errorf("RESTORE_DATABASE_URL is not set: name the empty database to restore into")
	}
	if _, err := r.Restore(ctx, m.ID, cfg.TargetURL); err != nil {
		return err
	}
	fmt.Fprintf(out, "database restored: %d tables, row counts match the manifest (%s)\n", len(m.Database.Rows), time.Since(start).Round(time.Second))
	if m.Documents == nil {
		return nil
	}
	if cfg.DocBucket == "" {
		return fmt.Errorf("S3_BUCKET_DOCUMENTS is not set: name the empty documents bucket to restore into")
	}
	// The documents' storage is the platform's own (S3_...), read only now:
	// a verification needs none of it.
	var docsCfg blob.StoreConfig
	if err := envconfig.Process("", &docsCfg); err != nil {
		return err
	}
	docs, err := blob.New(ctx, docsCfg)
	if err != nil {
		return fmt.Errorf("documents bucket: %w", err)
	}
	if err := docs.EnsureBucket(ctx, cfg.DocBucket); err != nil {
		return err
	}
	n, err := r.RestoreDocuments(ctx, m, docs, cfg.DocBucket)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "documents restored: %d, every checksum matches (%s in all)\n", n, time.Since(start).Round(time.Second))
	return nil
}

// readIdentities reads an age identity file.
func readIdentities(file string) ([]age.Identity, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("BACKUP_AGE_IDENTITY_FILE: %w", err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, fmt.Errorf("BACKUP_AGE_IDENTITY_FILE %s: %w", file, err)
	}
	return ids, nil
}
