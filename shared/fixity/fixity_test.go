package fixity_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	mathrand "math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	"github.com/ghiseu/ghiseu/shared/fixity"
	"github.com/ghiseu/ghiseu/shared/registry"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

// These tests run against a real PostgreSQL and a real S3 server (versitygw),
// both started by `make test` (or devstack exec).

// institution is a tenant with a document to add versions to and a
// published request type to submit requests with files.
type institution struct {
	id, document, department, register, applicant uuid.UUID
	requestType                                   requesttypes.Version
}

type fixture struct {
	d      *dbtest.DB
	blob   *blob.Store
	s3     *s3.Client
	bucket string
	store  *documents.Store
	a, b   institution
}

func setUp(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	cfg := blobtest.Config(t)
	b, err := blob.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{
		d:      dbtest.New(t),
		blob:   b,
		bucket: "fixity-test-" + strings.ToLower(rand.Text()),
		// A client of its own, to change the bucket behind the platform's back.
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
		ctx := context.Background()
		for o, err := range b.List(ctx, f.bucket, "") {
			if err != nil {
				t.Errorf("cleanup: %v", err)
				break
			}
			_ = b.Delete(ctx, f.bucket, o.Key)
		}
		if _, err := f.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &f.bucket}); err != nil {
			t.Errorf("cleanup: delete bucket: %v", err)
		}
	})
	f.store = documents.New(b, f.bucket)
	f.a = f.institution(t, "4358142", "Primăria Lugoj", "ioana@example.ro")
	f.b = f.institution(t, "26258845", "DAS Lugoj", "mihai@example.ro")
	return f
}

// institution creates a tenant with a register, an entry with a document,
// and a published request type.
func (f *fixture) institution(t *testing.T, cif, name, email string) institution {
	t.Helper()
	ctx := t.Context()
	in := institution{id: uuid.New(), department: uuid.New(), register: uuid.New(), applicant: uuid.New()}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO institution (id, cif, name) VALUES ($1, $2, $3)`, []any{in.id, cif, name}},
		{`INSERT INTO department (institution_id, id, code, name, kind) VALUES ($1, $2, 'RRPA', 'Registratură', 'service')`, []any{in.id, in.department}},
		{`INSERT INTO account (id, kind, email, display_name) VALUES ($1, 'person', $2, 'Solicitant')`, []any{in.applicant, email}},
	} {
		if _, err := f.d.Owner.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	err := db.TenantTx(ctx, f.d.App, in.id, func(tx pgx.Tx) error {
		if err := registry.CreateRegister(ctx, tx, registry.Register{Institution: in.id, ID: in.register, Code: "I", Name: "Intrări", Kind: "incoming"}); err != nil {
			return err
		}
		e, err := registry.Record(ctx, tx, registry.Entry{Institution: in.id, Register: in.register, Direction: "incoming",
			Channel: "counter", Sender: "Ion Popescu", Subject: "Cerere"}, time.Time{})
		if err != nil {
			return err
		}
		doc, err := documents.Create(ctx, tx, documents.Document{Institution: in.id, Entry: e.ID, Title: "Cerere"})
		if err != nil {
			return err
		}
		in.document = doc.ID
		typ, _, err := requesttypes.Create(ctx, tx, requesttypes.Type{Institution: in.id, Code: "petitie"},
			requesttypes.Version{Institution: in.id, Name: "Petiție", Form: json.RawMessage(`{"type":"object"}`),
				Department: in.department, Regime: requesttypes.Petition, Register: in.register})
		if err != nil {
			return err
		}
		in.requestType, err = requesttypes.Publish(ctx, tx, in.id, typ.ID, uuid.Nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// upload stores body for in, as submissions and registrations do, without
// attaching it to anything.
func (f *fixture) upload(t *testing.T, in institution, body []byte) documents.Uploaded {
	t.Helper()
	u, err := f.store.Upload(t.Context(), in.id, bytes.NewReader(body), "cerere.pdf")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// attach makes u a version of in's document.
func (f *fixture) attach(t *testing.T, in institution, u documents.Uploaded) {
	t.Helper()
	err := db.TenantTx(t.Context(), f.d.App, in.id, func(tx pgx.Tx) error {
		_, err := documents.Attach(t.Context(), tx, in.document, u, uuid.Nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// submit makes u a file of a new request to in.
func (f *fixture) submit(t *testing.T, in institution, u documents.Uploaded) {
	t.Helper()
	err := db.TenantTx(t.Context(), f.d.App, in.id, func(tx pgx.Tx) error {
		_, _, err := requests.Submit(t.Context(), tx, requests.Request{Institution: in.id, Type: in.requestType.Type,
			TypeVersion: in.requestType.Version, Applicant: in.applicant, Department: in.department, Register: in.register,
			Title: "Petiție", DataSealed: []byte("sealed"), Identified: true},
			[]requests.File{{Kind: "anexe", Title: "Anexa", Name: u.OriginalName, SHA256: u.SHA256, Size: u.Size,
				MediaType: u.MediaType, ObjectKey: u.ObjectKey}},
			requests.Actor{Kind: "citizen", Account: in.applicant})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checker returns a Checker on the fixture's bucket, connected as the
// functions are (ghiseu_app, under row-level security).
func (f *fixture) checker(runs int) *fixity.Checker {
	return &fixity.Checker{Pool: f.d.App, Blob: f.blob, Bucket: f.bucket, RunsPerCycle: runs, Concurrency: 3}
}

// overwrite replaces the bytes of key directly in S3, as a faulty disk,
// an operator or an attacker would: the database is not told.
func (f *fixture) overwrite(t *testing.T, key string, body []byte) {
	t.Helper()
	_, err := f.s3.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &f.bucket, Key: &key, Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) remove(t *testing.T, key string) {
	t.Helper()
	if _, err := f.s3.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: &f.bucket, Key: &key}); err != nil {
		t.Fatal(err)
	}
}

func pdf(seed uint64, n int) []byte {
	var s [32]byte
	s[0], s[1] = byte(seed), byte(seed>>8)
	b := make([]byte, n)
	_, _ = io.ReadFull(mathrand.NewChaCha8(s), b)
	copy(b, "%PDF-1.7\n")
	return b
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func object(u documents.Uploaded) fixity.Object {
	return fixity.Object{Institution: u.Institution, Key: u.ObjectKey, SHA256: u.SHA256, Size: u.Size}
}

// prefix is the first 32 bits of a SHA-256, which decide its run.
func prefix(t *testing.T, sha string) int64 {
	t.Helper()
	v, err := strconv.ParseUint(sha[:8], 16, 32)
	if err != nil {
		t.Fatal(err)
	}
	return int64(v)
}

// fill fills the fixture with objects shared every way the platform
// shares them, and returns the distinct objects the check must read.
func (f *fixture) fill(t *testing.T) []fixity.Object {
	t.Helper()
	var want []fixity.Object
	for i := range 16 {
		in := []institution{f.a, f.b}[i%2]
		u := f.upload(t, in, pdf(uint64(i), 1000+i*37))
		switch i % 4 {
		case 0, 1:
			f.attach(t, in, u)
		case 2:
			// A request's file, later registered: a version and a request
			// file share one object.
			f.submit(t, in, u)
			f.attach(t, in, u)
		case 3:
			// A file of a request not registered yet.
			f.submit(t, in, u)
		}
		want = append(want, object(u))
	}
	// The same bytes again: two versions, a second request file, and the
	// other institution's copy (an object of its own, under its prefix).
	again := f.upload(t, f.a, pdf(0, 1000))
	f.attach(t, f.a, again)
	f.submit(t, f.b, f.upload(t, f.b, pdf(3, 1000+3*37)))
	other := f.upload(t, f.b, pdf(0, 1000))
	f.attach(t, f.b, other)
	want = append(want, object(other))
	return want
}

// cycle runs every run of a cycle and returns the reports and what each
// run checked.
func cycle(t *testing.T, c *fixity.Checker) ([]fixity.Report, [][]fixity.Object) {
	t.Helper()
	var reports []fixity.Report
	var checked [][]fixity.Object
	for run := range max(c.RunsPerCycle, 1) {
		var mu sync.Mutex
		var seen []fixity.Object
		fixity.OnChecked(c, func(o fixity.Object) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, o)
		})
		rep, err := c.Run(t.Context(), run)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		reports, checked = append(reports, rep), append(checked, seen)
	}
	return reports, checked
}

func TestCycleChecksEveryObjectOnce(t *testing.T) {
	f := setUp(t)
	want := f.fill(t)
	var wantBytes int64
	for _, o := range want {
		wantBytes += o.Size
	}
	for _, tc := range []struct {
		name     string
		runs     int
		pageSize int
	}{
		{name: "every object every week", runs: 1},
		{name: "zero means one run", runs: 0},
		{name: "a quarter a week", runs: 4},
		{name: "a quarter a week, pages of two", runs: 4, pageSize: 2},
		{name: "more runs than objects, pages of one", runs: 30, pageSize: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := f.checker(tc.runs)
			if tc.pageSize > 0 {
				fixity.SetPageSize(c, tc.pageSize)
			}
			reports, checked := cycle(t, c)
			times := map[fixity.Object]int{}
			var checkedCount int
			var bytesRead int64
			for run, rep := range reports {
				if !rep.OK() || rep.Checked != len(checked[run]) {
					t.Errorf("run %d: %s, with %d objects seen", run, rep, len(checked[run]))
				}
				checkedCount += rep.Checked
				bytesRead += rep.Bytes
				lo, hi := fixity.SliceOf(run, max(tc.runs, 1))
				for _, o := range checked[run] {
					times[o]++
					if p := prefix(t, o.SHA256); p < lo || p >= hi {
						t.Errorf("run %d [%08x, %08x) checked %s", run, lo, hi, o.Key)
					}
				}
			}
			for _, o := range want {
				if times[o] != 1 {
					t.Errorf("%s checked %d times in the cycle, want once", o.Key, times[o])
				}
				delete(times, o)
			}
			for o := range times {
				t.Errorf("checked %+v, which is not a stored object", o)
			}
			if checkedCount != len(want) || bytesRead != wantBytes {
				t.Errorf("the cycle checked %d objects, %d bytes; want %d, %d", checkedCount, bytesRead, len(want), wantBytes)
			}
		})
	}
}

// The runs split the SHA-256 values at exact boundaries, in SQL as in Go:
// objects recorded with SHA-256 on either side of them (here without
// bytes, so each is reported missing) are checked by the expected run.
func TestSliceBoundaries(t *testing.T) {
	f := setUp(t)
	const runs = 4
	var recorded []fixity.Object
	for _, p := range []string{"00000000", "3fffffff", "40000000", "7fffffff", "80000000", "bfffffff", "c0000000", "ffffffff"} {
		sha := p + strings.Repeat("0", 56)
		u := documents.Uploaded{Institution: f.a.id, SHA256: sha, Size: 1, MediaType: documents.TypePDF,
			OriginalName: "x.pdf", ObjectKey: blob.ContentKey(f.a.id.String(), sha)}
		f.attach(t, f.a, u)
		recorded = append(recorded, object(u))
	}
	reports, checked := cycle(t, f.checker(runs))
	for i, o := range recorded {
		run := i / 2 // two values per quarter
		if !slices.Contains(checked[run], o) {
			t.Errorf("%s… was not checked by run %d: %v", o.SHA256[:8], run, checked)
		}
		if !slices.Contains(reports[run].MissingObjects, o) {
			t.Errorf("run %d does not report %s… missing: %s", run, o.SHA256[:8], reports[run])
		}
	}
	for run, rep := range reports {
		if rep.Missing != 2 || rep.Checked != 0 || rep.OK() {
			t.Errorf("run %d: %s, want 2 missing", run, rep)
		}
	}
}

// Bytes changed, truncated or removed behind the platform's back are
// found, by the run whose slice holds them and by no other.
func TestFindsChangedAndMissingObjects(t *testing.T) {
	f := setUp(t)
	stored := f.fill(t)
	const runs = 4
	c := f.checker(runs)

	// A clean store is reported OK.
	reports, _ := cycle(t, c)
	for run, rep := range reports {
		if !rep.OK() || rep.Mismatched+rep.Missing+rep.Failed != 0 || !strings.HasSuffix(rep.String(), ": OK") {
			t.Errorf("run %d of a clean store: %s", run, rep)
		}
	}

	type want struct {
		mismatch *fixity.Mismatch
		missing  bool
	}
	changed := map[fixity.Object]want{}
	for _, tc := range []struct {
		name   string
		object fixity.Object
		tamper func(o fixity.Object) want
	}{
		{name: "same size, one byte flipped", object: stored[0], tamper: func(o fixity.Object) want {
			body := pdf(0, int(o.Size))
			body[len(body)/2] ^= 1
			f.overwrite(t, o.Key, body)
			return want{mismatch: &fixity.Mismatch{Object: o, GotSHA256: sha256Hex(body), GotSize: o.Size}}
		}},
		{name: "replaced by other bytes", object: stored[5], tamper: func(o fixity.Object) want {
			body := pdf(1234, 5000)
			f.overwrite(t, o.Key, body)
			return want{mismatch: &fixity.Mismatch{Object: o, GotSHA256: sha256Hex(body), GotSize: 5000}}
		}},
		{name: "truncated", object: stored[6], tamper: func(o fixity.Object) want {
			body := pdf(6, int(o.Size))[:100]
			f.overwrite(t, o.Key, body)
			return want{mismatch: &fixity.Mismatch{Object: o, GotSHA256: sha256Hex(body), GotSize: 100}}
		}},
		{name: "deleted", object: stored[7], tamper: func(o fixity.Object) want {
			f.remove(t, o.Key)
			return want{missing: true}
		}},
	} {
		changed[tc.object] = tc.tamper(tc.object)
	}

	reports, checked := cycle(t, c)
	for run, rep := range reports {
		var wantMismatches []fixity.Mismatch
		var wantMissing []fixity.Object
		for _, o := range checked[run] {
			if w, ok := changed[o]; ok && w.missing {
				wantMissing = append(wantMissing, o)
			} else if ok {
				wantMismatches = append(wantMismatches, *w.mismatch)
			}
		}
		if rep.OK() != (len(wantMismatches)+len(wantMissing) == 0) || rep.Failed != 0 ||
			rep.Mismatched != len(wantMismatches) || rep.Missing != len(wantMissing) ||
			rep.Checked != len(checked[run])-len(wantMissing) {
			t.Errorf("run %d: %s; want %d mismatched, %d missing", run, rep, len(wantMismatches), len(wantMissing))
		}
		if !sameElements(rep.Mismatches, wantMismatches) {
			t.Errorf("run %d mismatches:\n got %+v\nwant %+v", run, rep.Mismatches, wantMismatches)
		}
		if !sameElements(rep.MissingObjects, wantMissing) {
			t.Errorf("run %d missing:\n got %+v\nwant %+v", run, rep.MissingObjects, wantMissing)
		}
	}

	// One run of the whole store finds all of them.
	rep, err := f.checker(1).Run(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Mismatched != 3 || rep.Missing != 1 || rep.Failed != 0 || rep.OK() || rep.Checked != len(stored)-1 {
		t.Errorf("whole store: %s", rep)
	}
	if s := rep.String(); !strings.Contains(s, "3 mismatched, 1 missing, 0 unreadable") {
		t.Errorf("summary %q", s)
	}
}

func sameElements[T comparable](got, want []T) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}

// A run that cannot be done is an error, not a report of missing objects.
func TestRunErrors(t *testing.T) {
	f := setUp(t)
	f.attach(t, f.a, f.upload(t, f.a, pdf(1, 500)))
	for _, tc := range []struct {
		name    string
		c       func() *fixity.Checker
		run     int
		wantErr string
	}{
		{name: "no such bucket", run: 0, wantErr: "NoSuchBucket", c: func() *fixity.Checker {
			c := f.checker(1)
			c.Bucket = "fixity-missing-" + strings.ToLower(rand.Text())
			return c
		}},
		{name: "run past the cycle", run: 4, wantErr: "run 4 out of a cycle of 4", c: func() *fixity.Checker { return f.checker(4) }},
		{name: "negative run", run: -1, wantErr: "run -1 out of a cycle", c: func() *fixity.Checker { return f.checker(4) }},
		{name: "cycle too long", run: 0, wantErr: "at most", c: func() *fixity.Checker { return f.checker(fixity.MaxRunsPerCycle + 1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := tc.c().Run(t.Context(), tc.run)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Run: %v, want an error with %q (%s)", err, tc.wantErr, rep)
			}
			if rep.Missing != 0 {
				t.Errorf("report %s", rep)
			}
		})
	}
	// A cancelled run stops with ctx's error.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := f.checker(1).Run(ctx, 0); err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) {
		t.Errorf("cancelled run: %v", err)
	}
}

// Objects that cannot be read (here: the store refuses the credentials)
// are reported unreadable; when every read fails, the run stops instead of
// trying each object of the slice in turn.
func TestUnreadableObjects(t *testing.T) {
	f := setUp(t)
	bad, err := blob.New(t.Context(), blob.StoreConfig{Endpoint: os.Getenv("TEST_S3_ENDPOINT"),
		AccessKeyID: os.Getenv("TEST_S3_ACCESS_KEY_ID"), SecretAccessKey: "not-the-secret"})
	if err != nil {
		t.Fatal(err)
	}
	recorded := 0
	record := func(n int) {
		for ; recorded < n; recorded++ {
			sha := sha256Hex([]byte(strconv.Itoa(recorded)))
			f.attach(t, f.a, documents.Uploaded{Institution: f.a.id, SHA256: sha, Size: 1, MediaType: documents.TypePDF,
				OriginalName: "x.pdf", ObjectKey: blob.ContentKey(f.a.id.String(), sha)})
		}
	}
	for _, tc := range []struct {
		name    string
		objects int
		wantErr bool
	}{
		{name: "a few", objects: 3},
		{name: "every read fails", objects: 80, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			record(tc.objects)
			c := f.checker(1)
			c.Blob = bad
			rep, err := c.Run(t.Context(), 0)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "failed in a row") {
					t.Fatalf("Run: %v, %s", err, rep)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() || rep.Failed != tc.objects || len(rep.Failures) != tc.objects || rep.Missing != 0 || rep.Checked != 0 {
				t.Errorf("report %s", rep)
			}
			for _, fail := range rep.Failures {
				if fail.Err == nil || fail.Object.Institution != f.a.id {
					t.Errorf("failure %+v", fail)
				}
			}
		})
	}
}

func TestOrphansAfterGracePeriod(t *testing.T) {
	f := setUp(t)
	t0 := time.Date(2026, time.March, 2, 3, 0, 0, 0, time.UTC)
	now := t0
	c := f.checker(1)
	c.Now = func() time.Time { return now }
	fixity.SetPageSize(c, 2) // cross page boundaries with a few objects

	referenced := f.upload(t, f.a, pdf(1, 700))
	f.attach(t, f.a, referenced)
	requestOnly := f.upload(t, f.b, pdf(2, 700))
	f.submit(t, f.b, requestOnly)
	// Never attached: a submission that failed after its upload.
	orphan := f.upload(t, f.a, pdf(3, 700))
	// Attached after the first listing found it unreferenced.
	attachedLater := f.upload(t, f.b, pdf(4, 700))
	// A temporary object an upload could not remove.
	leftover := f.a.id.String() + "/tmp/LEFTOVER"
	f.overwrite(t, leftover, []byte("half an upload"))
	// Deleted after the first listing.
	deletedLater := f.upload(t, f.b, pdf(5, 700))

	list := func(grace time.Duration) []string {
		t.Helper()
		got, err := c.Orphans(t.Context(), grace)
		if err != nil {
			t.Fatal(err)
		}
		keys := make([]string, 0, len(got))
		for _, o := range got {
			if o.Bucket != f.bucket || o.Size <= 0 {
				t.Errorf("orphan %+v", o)
			}
			keys = append(keys, o.Key)
		}
		slices.Sort(keys)
		return keys
	}
	sorted := func(keys ...string) []string {
		slices.Sort(keys)
		return keys
	}
	marks := func() int {
		t.Helper()
		var n int
		err := db.PlatformTx(t.Context(), f.d.App, func(tx pgx.Tx) error {
			return tx.QueryRow(t.Context(), `SELECT count(*) FROM fixity_orphan`).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	if got := list(0); len(got) != 0 {
		t.Errorf("first listing: %v, want none (the grace period starts now)", got)
	}
	if n := marks(); n != 4 {
		t.Errorf("marks after the first listing: %d, want the 4 unreferenced objects", n)
	}
	f.attach(t, f.b, attachedLater)
	f.remove(t, deletedLater.ObjectKey)
	var late documents.Uploaded // first found unreferenced a day later
	orphans := sorted(orphan.ObjectKey, leftover)

	for _, step := range []struct {
		name  string
		at    time.Duration
		grace time.Duration
		want  func() []string // late is uploaded on the way
		then  func()
	}{
		{name: "within the default grace", at: 23 * time.Hour, want: func() []string { return nil },
			then: func() { late = f.upload(t, f.a, pdf(6, 700)) }},
		{name: "at the default grace", at: 24 * time.Hour, want: func() []string { return orphans }},
		{name: "a longer grace", at: 24 * time.Hour, grace: 48 * time.Hour, want: func() []string { return nil }},
		{name: "the later one within its grace", at: 47 * time.Hour, want: func() []string { return orphans }},
		{name: "the later one after its grace", at: 48 * time.Hour,
			want: func() []string { return sorted(orphan.ObjectKey, leftover, late.ObjectKey) },
			then: func() { f.attach(t, f.a, late) }},
		{name: "the later one attached", at: 72 * time.Hour, want: func() []string { return orphans }},
	} {
		now = t0.Add(step.at)
		if got, want := list(step.grace), step.want(); !slices.Equal(got, want) {
			t.Errorf("%s (%v): orphans %v, want %v", step.name, step.at, got, want)
		}
		if step.then != nil {
			step.then()
		}
	}
	// Only the orphans keep their marks: not the objects attached since,
	// nor the one deleted.
	if n := marks(); n != 2 {
		t.Errorf("marks: %d, want 2", n)
	}
	if t.Failed() {
		return
	}
	// Orphans only lists: everything is still there.
	for _, u := range []documents.Uploaded{referenced, requestOnly, orphan, attachedLater} {
		if _, err := f.blob.Head(t.Context(), f.bucket, u.ObjectKey); err != nil {
			t.Errorf("%s: %v", u.ObjectKey, err)
		}
	}
}

func TestRunNumber(t *testing.T) {
	monday := time.Date(2026, time.March, 2, 0, 0, 0, 0, time.UTC)
	base := fixity.RunNumber(monday, 4)
	for _, tc := range []struct {
		name string
		at   time.Time
		runs int
		want int
	}{
		{name: "the same week", at: monday.Add(7*24*time.Hour - time.Nanosecond), runs: 4, want: base},
		{name: "the next week", at: monday.Add(7 * 24 * time.Hour), runs: 4, want: (base + 1) % 4},
		{name: "a cycle later", at: monday.Add(4 * 7 * 24 * time.Hour), runs: 4, want: base},
		{name: "another time zone, the same instant", at: monday.Add(time.Hour).In(time.FixedZone("EET", 2*3600)), runs: 4, want: base},
		{name: "one run", at: monday, runs: 1, want: 0},
		{name: "zero runs", at: monday, runs: 0, want: 0},
		{name: "the epoch", at: time.Date(1970, time.January, 5, 0, 0, 0, 0, time.UTC), runs: 4, want: 0},
		{name: "before the epoch", at: time.Date(1970, time.January, 4, 23, 0, 0, 0, time.UTC), runs: 4, want: 3},
		{name: "a week before the epoch", at: time.Date(1969, time.December, 29, 0, 0, 0, 0, time.UTC), runs: 4, want: 3},
		{name: "just over a week before", at: time.Date(1969, time.December, 28, 23, 0, 0, 0, time.UTC), runs: 4, want: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fixity.RunNumber(tc.at, tc.runs); got != tc.want {
				t.Errorf("RunNumber(%v, %d) = %d, want %d", tc.at, tc.runs, got, tc.want)
			}
		})
	}
	// Consecutive weeks go through every run of the cycle once.
	for _, runs := range []int{1, 4, 13, 52} {
		seen := map[int]bool{}
		for w := range runs {
			seen[fixity.RunNumber(monday.Add(time.Duration(w)*7*24*time.Hour+36*time.Hour), runs)] = true
		}
		if len(seen) != runs {
			t.Errorf("%d weeks cover %d of %d runs", runs, len(seen), runs)
		}
	}
}

func TestParseShare(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int // 0: an error
	}{
		{"1/4", 4},
		{"0.25", 4},
		{"25%", 4},
		{" 25 % ", 4},
		{"1/3", 3},
		{"0.3", 3},
		{"33%", 3},
		{"1", 1},
		{"100%", 1},
		{"1/1", 1},
		{"4", 4},
		{"52", 52},
		{"2/8", 4},
		{"0.0001", 10000},
		{"0", 0},
		{"-1/4", 0},
		{"150%", 0},
		{"3/2", 0},
		{"", 0},
		{"%", 0},
		{"quarter", 0},
		{"1/0", 0},
		{"1/100000", 0},
		{"100000", 0},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := fixity.ParseShare(tc.in)
			if tc.want == 0 {
				if err == nil {
					t.Errorf("ParseShare(%q) = %d, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseShare(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestReportString(t *testing.T) {
	for _, tc := range []struct {
		rep  fixity.Report
		want string
	}{
		{fixity.Report{Run: 0, RunsPerCycle: 4, Checked: 12, Bytes: 3 << 30}, "fixity run 1 of 4: 12 objects checked, 3.0 GiB read: OK"},
		{fixity.Report{Run: 3, RunsPerCycle: 4, Checked: 2, Bytes: 900, Mismatched: 1, Missing: 2, Failed: 3},
			"fixity run 4 of 4: 2 objects checked, 900 B read: 1 mismatched, 2 missing, 3 unreadable"},
		{fixity.Report{RunsPerCycle: 1, Bytes: 1536}, "fixity run 1 of 1: 0 objects checked, 1.5 KiB read: OK"},
	} {
		if got := tc.rep.String(); got != tc.want {
			t.Errorf("%s, want %s", got, tc.want)
		}
	}
}
