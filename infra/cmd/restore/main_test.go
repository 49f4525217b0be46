package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/ghiseu/ghiseu/infra/localstack"
	"github.com/ghiseu/ghiseu/shared/backup"
	"github.com/ghiseu/ghiseu/shared/blob/blobtest"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

// The documented command restores the newest backup, database and
// documents, from its configuration alone; -verify-only touches nothing.
func TestRestoreCommand(t *testing.T) {
	ctx := context.Background()
	s3 := blobtest.Config(t)
	store := blobtest.New(t)
	bin, err := localstack.PostgresBinDir()
	if err != nil {
		t.Fatal(err)
	}
	source := dbtest.New(t)
	if _, err := source.Owner.Exec(ctx, `INSERT INTO institution (id, cif, name) VALUES (gen_random_uuid(), '4358142', 'Primăria Lugoj')`); err != nil {
		t.Fatal(err)
	}
	bucket, docs := blobtest.Bucket(t, store, "backups"), blobtest.Bucket(t, store, "documents")
	newDocs := "restored-" + strings.ToLower(rand.Text()[:10]) // made by the command
	doc, err := store.PutContentAddressed(ctx, docs, "inst", strings.NewReader("un document"), "text/plain")
	if err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "backup.key")
	if err := os.WriteFile(keyFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := &backup.Dumper{DatabaseURL: source.OwnerURL, PgDump: filepath.Join(bin, "pg_dump"), Blob: store, Bucket: bucket,
		Recipients: []age.Recipient{id.Recipient()}, Documents: store, DocumentsBucket: docs}
	m, err := d.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}

	target := dbtest.Empty(t)
	for k, v := range map[string]string{"RESTORE_DATABASE_URL": target, "BACKUP_S3_ENDPOINT": s3.Endpoint,
		"BACKUP_S3_ACCESS_KEY_ID": s3.AccessKeyID, "BACKUP_S3_SECRET_ACCESS_KEY": s3.SecretAccessKey, "S3_BUCKET_BACKUPS": bucket,
		"BACKUP_AGE_IDENTITY_FILE": keyFile, "S3_ENDPOINT": s3.Endpoint, "S3_ACCESS_KEY_ID": s3.AccessKeyID,
		"S3_SECRET_ACCESS_KEY": s3.SecretAccessKey, "S3_BUCKET_DOCUMENTS": newDocs, "PG_RESTORE": filepath.Join(bin, "pg_restore")} {
		t.Setenv(k, v)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"-verify-only"}, &out); err != nil || !strings.Contains(out.String(), m.ID) {
		t.Fatalf("verify only: %v\n%s", err, out.String())
	}
	if err := run(ctx, nil, &out); err != nil {
		t.Fatalf("restore: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "row counts match") || !strings.Contains(out.String(), "documents restored: 1") {
		t.Errorf("output:\n%s", out.String())
	}
	body, _, err := store.Get(ctx, newDocs, doc.Key)
	if err != nil {
		t.Fatalf("the document is not back: %v", err)
	}
	body.Close()
}
