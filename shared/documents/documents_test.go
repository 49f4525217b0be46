package documents_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	mathrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/blob/blobtest"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// These tests run against a real PostgreSQL and a real S3 server (versitygw),
// both started by `make test` (or devstack exec).

const mib = 1 << 20

type fixture struct {
	d        *dbtest.DB
	store    *documents.Store
	s3       *s3.Client
	cfg      blob.StoreConfig
	bucket   string
	inst     uuid.UUID
	entry    uuid.UUID
	document uuid.UUID
}

func setUp(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	cfg := blobtest.Config(t)
	b, err := blob.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{
		d:      dbtest.New(t),
		bucket: "documents-test-" + strings.ToLower(rand.Text()),
		inst:   uuid.New(),
		cfg:    cfg,
		s3: s3.New(s3.Options{
			Region:                     blob.DefaultRegion,
			Credentials:                credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
			BaseEndpoint:               aws.String(cfg.Endpoint),
			UsePathStyle:               true,
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
			ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		}),
	}
	if err := b.EnsureBucket(ctx, f.bucket); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, key := range f.keys(t, "") {
			_ = b.Delete(context.Background(), f.bucket, key)
		}
		if _, err := f.s3.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &f.bucket}); err != nil {
			t.Errorf("cleanup: delete bucket: %v", err)
		}
	})
	f.store = &documents.Store{Blob: b, Bucket: f.bucket, MaxSize: 1 * mib}

	if _, err := f.d.Owner.Exec(ctx, `INSERT INTO institution (id, cif, name) VALUES ($1, '4358142', 'Primăria Lugoj')`, f.inst); err != nil {
		t.Fatal(err)
	}
	err = db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error {
		register := uuid.New()
		if err := registry.CreateRegister(ctx, tx, registry.Register{Institution: f.inst, ID: register, Code: "I", Name: "Intrări", Kind: "incoming"}); err != nil {
			return err
		}
		e, err := registry.Record(ctx, tx, registry.Entry{Institution: f.inst, Register: register, Direction: "incoming",
			Channel: "counter", Sender: "Ion Popescu", Subject: "Cerere"}, time.Time{})
		if err != nil {
			return err
		}
		f.entry = e.ID
		doc, err := documents.Create(ctx, tx, documents.Document{Institution: f.inst, Entry: e.ID, Title: "Cerere"})
		f.document = doc.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// keys lists the objects under prefix.
func (f fixture) keys(t *testing.T, prefix string) []string {
	t.Helper()
	var keys []string
	pages := s3.NewListObjectsV2Paginator(f.s3, &s3.ListObjectsV2Input{Bucket: &f.bucket, Prefix: &prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list %s/%s: %v", f.bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, *o.Key)
		}
	}
	return keys
}

func (f fixture) add(t *testing.T, r io.Reader, name string) (documents.Version, error) {
	t.Helper()
	var v documents.Version
	err := db.TenantTx(t.Context(), f.d.App, f.inst, func(tx pgx.Tx) (err error) {
		v, err = f.store.AddVersion(t.Context(), tx, f.inst, f.document, r, name, uuid.Nil)
		return err
	})
	return v, err
}

func (f fixture) versionCount(t *testing.T) int {
	t.Helper()
	var n int
	err := db.PlatformTx(t.Context(), f.d.Owner, func(tx pgx.Tx) error {
		return tx.QueryRow(t.Context(), `SELECT count(*) FROM document_version WHERE document_id = $1`, f.document).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func pdf(seed uint64, n int) []byte {
	var s [32]byte
	s[0] = byte(seed)
	b := make([]byte, n)
	_, _ = io.ReadFull(mathrand.NewChaCha8(s), b)
	copy(b, "%PDF-1.7\n")
	return b
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

var errBroken = errors.New("connection reset by client")

// failingReader yields data, then fails instead of ending.
func failingReader(data []byte) io.Reader {
	return io.MultiReader(bytes.NewReader(data), readerFunc(func([]byte) (int, error) { return 0, errBroken }))
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

var elf = append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"), make([]byte, 4000)...)

func TestAddVersion(t *testing.T) {
	f := setUp(t)
	prefix := f.inst.String() + "/"
	small := pdf(1, 3000)
	tests := []struct {
		name      string
		body      []byte
		reader    io.Reader // instead of body
		declared  string
		wantErr   error
		wantType  string
		wantName  string
		noObjects bool // a refusal must leave no new object under the prefix
	}{
		{name: "pdf round trip", body: small, declared: "Cerere de înscriere — școală.pdf", wantType: documents.TypePDF, wantName: "Cerere de înscriere — școală.pdf"},
		{name: "exactly the limit", body: pdf(2, mib), declared: "mare.pdf", wantType: documents.TypePDF, wantName: "mare.pdf"},
		{name: "traversal unix", body: pdf(3, 100), declared: "../../etc/passwd", wantErr: documents.ErrBadName, noObjects: true},
		{name: "traversal windows", body: pdf(4, 100), declared: `C:\x\y.pdf`, wantErr: documents.ErrBadName, noObjects: true},
		{name: "dot dot", body: pdf(5, 100), declared: "..", wantErr: documents.ErrBadName, noObjects: true},
		{name: "nul byte", body: pdf(6, 100), declared: "\x00evil.pdf", wantErr: documents.ErrBadName, noObjects: true},
		{name: "bidi override", body: pdf(6, 100), declared: "factura\u202Efdp.exe", wantErr: documents.ErrBadName, noObjects: true},
		{name: "hidden", body: pdf(7, 100), declared: ".htaccess", wantType: documents.TypePDF, wantName: "htaccess"},
		{name: "no name", body: pdf(12, 100), declared: "", wantType: documents.TypePDF, wantName: "document"},
		{name: "plain text", body: []byte("Subsemnatul Ștefan Țârlea solicit…\n"), declared: "cerere.txt", wantType: "text/plain; charset=utf-8", wantName: "cerere.txt"},
		{name: "png", body: append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...), declared: "scan.png", wantType: documents.TypePNG, wantName: "scan.png"},
		{name: "empty", body: []byte{}, declared: "gol.pdf", wantErr: documents.ErrEmpty, noObjects: true},
		{name: "too large", body: pdf(8, mib+1), declared: "prea-mare.pdf", wantErr: documents.ErrTooLarge, noObjects: true},
		{name: "much too large", reader: io.MultiReader(bytes.NewReader(pdf(9, 20*mib))), declared: "uriaș.pdf", wantErr: documents.ErrTooLarge, noObjects: true},
		{name: "elf declared pdf", body: elf, declared: "decizie.pdf", wantErr: documents.ErrForbiddenType, noObjects: true},
		{name: "pe", body: append([]byte("MZ\x90\x00"), make([]byte, 200)...), declared: "setup.pdf", wantErr: documents.ErrForbiddenType, noObjects: true},
		{name: "shell script", body: []byte("#!/bin/sh\nrm -rf /\n"), declared: "script.txt", wantErr: documents.ErrForbiddenType, noObjects: true},
		{name: "html", body: []byte("<html><script>alert(1)</script></html>"), declared: "a.txt", wantErr: documents.ErrForbiddenType, noObjects: true},
		{name: "truncated in head", reader: failingReader(pdf(10, 1000)), declared: "rupt.pdf", wantErr: errBroken, noObjects: true},
		{name: "truncated while uploading", reader: failingReader(pdf(11, 900*1024)), declared: "rupt.pdf", wantErr: errBroken, noObjects: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.keys(t, prefix))
			rows := f.versionCount(t)
			r := tc.reader
			if r == nil {
				r = bytes.NewReader(tc.body)
			}
			v, err := f.add(t, r, tc.declared)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("AddVersion: got %v, want %v", err, tc.wantErr)
				}
				if got := f.versionCount(t); got != rows {
					t.Errorf("version rows: %d after the refusal, %d before", got, rows)
				}
				if after := f.keys(t, prefix); tc.noObjects && len(after) != before {
					t.Errorf("objects under %s: %d before, now %v", prefix, before, after)
				}
				return
			}
			if err != nil {
				t.Fatalf("AddVersion: %v", err)
			}
			if v.SHA256 != sha256Hex(tc.body) || v.Size != int64(len(tc.body)) || v.MediaType != tc.wantType || v.OriginalName != tc.wantName {
				t.Errorf("version: %+v; want sha256 %s, size %d, type %s, name %q", v, sha256Hex(tc.body), len(tc.body), tc.wantType, tc.wantName)
			}
			if v.ObjectKey != blob.ContentKey(f.inst.String(), v.SHA256) {
				t.Errorf("object key %s", v.ObjectKey)
			}
			if got := f.versionCount(t); got != rows+1 {
				t.Errorf("version rows: %d, want %d", got, rows+1)
			}
			var got []byte
			var opened documents.Version
			err = db.TenantTx(t.Context(), f.d.App, f.inst, func(tx pgx.Tx) error {
				body, ov, err := f.store.Open(t.Context(), tx, f.inst, f.document, v.Version)
				if err != nil {
					return err
				}
				defer body.Close()
				opened = ov
				got, err = io.ReadAll(body)
				return err
			})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tc.body) || sha256Hex(got) != v.SHA256 {
				t.Errorf("Open: %d bytes with sha256 %s, want %d bytes with %s", len(got), sha256Hex(got), len(tc.body), v.SHA256)
			}
			if opened.Version != v.Version || opened.SHA256 != v.SHA256 || opened.MediaType != v.MediaType || opened.OriginalName != v.OriginalName {
				t.Errorf("Open: %+v, want %+v", opened, v)
			}
		})
	}
	// No temporary or multipart leftovers.
	for _, k := range f.keys(t, prefix+"tmp/") {
		t.Errorf("temporary object left: %s", k)
	}
}

func TestVersionsIncrementAndShareContent(t *testing.T) {
	f := setUp(t)
	a, b := pdf(1, 5000), pdf(2, 5000)
	var got []documents.Version
	for _, body := range [][]byte{a, b, a} {
		v, err := f.add(t, bytes.NewReader(body), "decizie.pdf")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	for i, v := range got {
		if v.Version != i+1 {
			t.Errorf("version %d numbered %d", i+1, v.Version)
		}
	}
	if got[0].ObjectKey != got[2].ObjectKey || got[0].ObjectKey == got[1].ObjectKey {
		t.Errorf("object keys %s %s %s: identical content should share one object", got[0].ObjectKey, got[1].ObjectKey, got[2].ObjectKey)
	}
	if keys := f.keys(t, f.inst.String()+"/"); len(keys) != 2 {
		t.Errorf("objects: %v, want 2", keys)
	}
	// Version 0 opens the latest.
	err := db.TenantTx(t.Context(), f.d.App, f.inst, func(tx pgx.Tx) error {
		body, v, err := f.store.Open(t.Context(), tx, f.inst, f.document, 0)
		if err != nil {
			return err
		}
		defer body.Close()
		if v.Version != 3 {
			t.Errorf("latest: version %d", v.Version)
		}
		_, _, err = f.store.Open(t.Context(), tx, f.inst, f.document, 4)
		if !errors.Is(err, documents.ErrNotFound) {
			t.Errorf("Open of a missing version: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Another institution sees neither the document nor its versions.
	other := uuid.New()
	if _, err := f.d.Owner.Exec(t.Context(), `INSERT INTO institution (id, cif, name) VALUES ($1, '26258845', 'DAS Lugoj')`, other); err != nil {
		t.Fatal(err)
	}
	err = db.TenantTx(t.Context(), f.d.App, other, func(tx pgx.Tx) error {
		if _, _, err := f.store.Open(t.Context(), tx, f.inst, f.document, 1); !errors.Is(err, documents.ErrNotFound) {
			t.Errorf("Open from another institution: %v", err)
		}
		if _, err := f.store.AddVersion(t.Context(), tx, f.inst, f.document, bytes.NewReader(a), "x.pdf", uuid.Nil); !errors.Is(err, documents.ErrNotFound) {
			t.Errorf("AddVersion from another institution: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestVersionsAreImmutable(t *testing.T) {
	f := setUp(t)
	if _, err := f.add(t, bytes.NewReader(pdf(1, 100)), "a.pdf"); err != nil {
		t.Fatal(err)
	}
	statements := []string{
		`UPDATE document_version SET sha256 = repeat('0', 64)`,
		`UPDATE document_version SET original_name = 'altul.pdf'`,
		`DELETE FROM document_version`,
		`TRUNCATE document_version`,
	}
	for _, role := range []struct {
		name string
		run  func(sql string) error
	}{
		{"app", func(sql string) error {
			return db.TenantTx(t.Context(), f.d.App, f.inst, func(tx pgx.Tx) error {
				_, err := tx.Exec(t.Context(), sql)
				return err
			})
		}},
		{"owner", func(sql string) error {
			return db.PlatformTx(t.Context(), f.d.Owner, func(tx pgx.Tx) error {
				_, err := tx.Exec(t.Context(), sql)
				return err
			})
		}},
	} {
		for _, sql := range statements {
			if err := role.run(sql); err == nil {
				t.Errorf("%s: %s succeeded", role.name, sql)
			}
		}
	}
	if n := f.versionCount(t); n != 1 {
		t.Errorf("versions: %d, want 1", n)
	}
}

// With a limit above the part size the upload is multipart when the limit is
// crossed or the stream breaks: it must be aborted, leaving neither an object
// nor a pending upload.
func TestMultipartRefusalsLeaveNothing(t *testing.T) {
	f := setUp(t)
	cfg := f.cfg
	cfg.PartSize = 5 * mib
	b, err := blob.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.store = &documents.Store{Blob: b, Bucket: f.bucket, MaxSize: 11 * mib}
	prefix := f.inst.String() + "/"
	for _, tc := range []struct {
		name    string
		r       io.Reader
		wantErr error
	}{
		{"too large", bytes.NewReader(pdf(1, 20*mib)), documents.ErrTooLarge},
		{"truncated", failingReader(pdf(2, 10*mib+123)), errBroken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.add(t, tc.r, "mare.pdf"); !errors.Is(err, tc.wantErr) {
				t.Fatalf("AddVersion: got %v, want %v", err, tc.wantErr)
			}
			if keys := f.keys(t, prefix); len(keys) != 0 {
				t.Errorf("objects left: %v", keys)
			}
			uploads, err := f.s3.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: &f.bucket})
			if err != nil {
				t.Fatal(err)
			}
			if len(uploads.Uploads) != 0 {
				t.Errorf("pending multipart uploads: %d", len(uploads.Uploads))
			}
			if n := f.versionCount(t); n != 0 {
				t.Errorf("version rows: %d", n)
			}
		})
	}
	// A 10 MiB file (two parts) within the limit goes through.
	body := pdf(3, 10*mib)
	v, err := f.add(t, bytes.NewReader(body), "mare.pdf")
	if err != nil || v.SHA256 != sha256Hex(body) || v.Size != int64(len(body)) {
		t.Fatalf("AddVersion: %+v, %v", v, err)
	}
}

// A failure after the upload (here the caller rolls back) leaves no row but
// keeps the object, which other versions may share: the garbage-collection
// job removes unreferenced objects, AddVersion does not.
func TestRollbackAfterUploadKeepsObject(t *testing.T) {
	f := setUp(t)
	body := pdf(1, 4000)
	errLater := errors.New("a later step failed")
	err := db.TenantTx(t.Context(), f.d.App, f.inst, func(tx pgx.Tx) error {
		if _, err := f.store.AddVersion(t.Context(), tx, f.inst, f.document, bytes.NewReader(body), "a.pdf", uuid.Nil); err != nil {
			return err
		}
		return errLater
	})
	if !errors.Is(err, errLater) {
		t.Fatal(err)
	}
	if n := f.versionCount(t); n != 0 {
		t.Errorf("version rows: %d", n)
	}
	if keys := f.keys(t, f.inst.String()+"/"); len(keys) != 1 || keys[0] != blob.ContentKey(f.inst.String(), sha256Hex(body)) {
		t.Errorf("objects: %v, want the orphaned content object", keys)
	}
}

// A store narrowed to some media types refuses the others before storing
// anything, whatever the file's name says.
func TestNarrowedMediaTypes(t *testing.T) {
	f := setUp(t)
	narrow := &documents.Store{Blob: f.store.Blob, Bucket: f.bucket, MediaTypes: []string{"application/pdf", "text/plain"}}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
	for _, tc := range []struct {
		name    string
		body    []byte
		wantErr error
	}{
		{"a PNG named .pdf", png, documents.ErrForbiddenType},
		{"a PDF", pdf(1, 2000), nil},
		{"text, whatever its charset", []byte("Cerere de audiență, text simplu."), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := narrow.Upload(t.Context(), f.inst, bytes.NewReader(tc.body), "scan.pdf")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Upload: %v, want %v", err, tc.wantErr)
			}
		})
	}
	if keys := f.keys(t, f.inst.String()+"/"); len(keys) != 2 {
		t.Errorf("objects: %v, want only the PDF and the text", keys)
	}
}
