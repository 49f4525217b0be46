package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	mathrand "math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/kelseyhightower/envconfig"
)

// These tests run against a real S3 server (versitygw under `make test`), because the
// point is how a real server treats our requests: checksums, multipart, aborts, copies.

const mib = 1 << 20

// newTestStore returns a Store on the test server and a fresh bucket, removed with all its
// contents when the test ends.
func newTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	cfg := StoreConfig{
		Endpoint:        os.Getenv("TEST_S3_ENDPOINT"),
		AccessKeyID:     os.Getenv("TEST_S3_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("TEST_S3_SECRET_ACCESS_KEY"),
	}
	if cfg.Endpoint == "" || cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
		// Not a skip: a test that silently does not run is a test that silently fails.
		t.Fatal("TEST_S3_ENDPOINT, TEST_S3_ACCESS_KEY_ID and TEST_S3_SECRET_ACCESS_KEY are not set: " +
			"run the tests through `make test`, which starts an S3 server (versitygw) and sets them")
	}
	s, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	bucket := "blob-test-" + strings.ToLower(rand.Text())
	if err := s.EnsureBucket(t.Context(), bucket); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeBucket(t, s, bucket) })
	return s, bucket
}

// removeBucket deletes the bucket with its objects and pending uploads.
func removeBucket(t *testing.T, s *Store, bucket string) {
	ctx := context.Background() // t.Context() is already cancelled during cleanup
	uploads, err := s.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	for _, u := range uploads.Uploads {
		_, _ = s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: u.Key, UploadId: u.UploadId})
	}
	for _, key := range listKeys(t, s, bucket, "") {
		if err := s.Delete(ctx, bucket, key); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
	if _, err := s.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket}); err != nil {
		t.Errorf("cleanup: delete bucket %s: %v", bucket, err)
	}
}

func listKeys(t *testing.T, s *Store, bucket, prefix string) []string {
	t.Helper()
	var keys []string
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list %s/%s: %v", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, *o.Key)
		}
	}
	return keys
}

func pendingUploads(t *testing.T, s *Store, bucket string) []types.MultipartUpload {
	t.Helper()
	out, err := s.client.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	return out.Uploads
}

// randomReader returns n deterministic pseudo-random bytes without holding them in memory.
func randomReader(seed uint64, n int64) io.Reader {
	var s [32]byte
	s[0] = byte(seed)
	return io.LimitReader(mathrand.NewChaCha8(s), n)
}

func randomBytes(seed uint64, n int) []byte {
	b, _ := io.ReadAll(randomReader(seed, int64(n)))
	return b
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// readAll reads the object back and returns its bytes and what Get said about it.
func readAll(t *testing.T, s *Store, bucket, key string) ([]byte, Object) {
	t.Helper()
	body, obj, err := s.Get(t.Context(), bucket, key)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return b, obj
}

// TestPutLargeObjectWithBoundedMemory comes first in the file so that it normally runs
// first, in a fresh process: Sys is a high-water mark, and earlier tests would already have
// raised it and hidden part of the growth.
func TestPutLargeObjectWithBoundedMemory(t *testing.T) {
	s, bucket := newTestStore(t)
	const size = 256 * mib
	const maxGrowth = 96 * mib

	// Hash what the generator produces, independently of the Store.
	want := sha256.New()
	src := io.TeeReader(randomReader(42, size), want)

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	obj, err := s.Put(t.Context(), bucket, "big", src, "application/octet-stream")
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	// Sys only grows (memory obtained from the OS), so it catches peaks during the upload.
	growth := int64(after.Sys) - int64(before.Sys)
	t.Logf("Sys grew by %.1f MiB (before %.1f MiB, after %.1f MiB)", float64(growth)/mib, float64(before.Sys)/mib, float64(after.Sys)/mib)
	if growth >= maxGrowth {
		t.Errorf("Sys grew by %d MiB during a %d MiB upload, want < %d MiB", growth/mib, size/mib, maxGrowth/mib)
	}

	wantSum := hex.EncodeToString(want.Sum(nil))
	if obj.Size != size || obj.SHA256 != wantSum {
		t.Errorf("Put returned size %d sha256 %s, want %d %s", obj.Size, obj.SHA256, size, wantSum)
	}

	// Read back streaming.
	body, got, err := s.Get(t.Context(), bucket, "big")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	h := sha256.New()
	n, err := io.Copy(h, body)
	if err != nil {
		t.Fatal(err)
	}
	if n != size || got.Size != size {
		t.Errorf("read back %d bytes, Get size %d, want %d", n, got.Size, size)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != wantSum {
		t.Errorf("read back sha256 %s, want %s", sum, wantSum)
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Setenv("S3_ENDPOINT", "http://localhost:7070")
	t.Setenv("S3_ACCESS_KEY_ID", "id")
	t.Setenv("S3_SECRET_ACCESS_KEY", "secret")
	var cfg struct{ StoreConfig }
	if err := envconfig.Process("", &cfg); err != nil {
		t.Fatal(err)
	}
	want := StoreConfig{
		Endpoint: "http://localhost:7070", Region: DefaultRegion, AccessKeyID: "id", SecretAccessKey: "secret",
		PartSize: DefaultPartSize, UploadConcurrency: DefaultUploadConcurrency,
	}
	if cfg.StoreConfig != want {
		t.Errorf("got %+v, want %+v", cfg.StoreConfig, want)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]StoreConfig{
		"no endpoint":    {AccessKeyID: "id", SecretAccessKey: "secret"},
		"no credentials": {Endpoint: "http://localhost:7070"},
		"small parts":    {Endpoint: "http://localhost:7070", AccessKeyID: "id", SecretAccessKey: "secret", PartSize: mib},
		"no concurrency": {Endpoint: "http://localhost:7070", AccessKeyID: "id", SecretAccessKey: "secret", UploadConcurrency: -1},
	} {
		if _, err := New(t.Context(), cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestPutGetRoundTrip(t *testing.T) {
	s, bucket := newTestStore(t)
	tests := []struct {
		name        string
		data        []byte
		contentType string
	}{
		{"empty", nil, "application/octet-stream"},
		{"small", []byte("Cerere de eliberare a certificatului de urbanism"), "text/plain; charset=utf-8"},
		{"no content type", randomBytes(1, 1000), ""},
		{"exactly one part", randomBytes(2, DefaultPartSize), "application/pdf"},
		{"two parts", randomBytes(3, DefaultPartSize+1), "application/pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "docs/" + strings.ReplaceAll(tt.name, " ", "-")
			// bytes.Buffer, not bytes.Reader: callers hand us plain streams (request bodies).
			obj, err := s.Put(t.Context(), bucket, key, bytes.NewBuffer(tt.data), tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			want := Object{Bucket: bucket, Key: key, Size: int64(len(tt.data)), SHA256: sha256Hex(tt.data), ContentType: tt.contentType}
			if obj != want {
				t.Errorf("Put returned %+v, want %+v", obj, want)
			}

			got, gotObj := readAll(t, s, bucket, key)
			if !bytes.Equal(got, tt.data) {
				t.Errorf("read back %d bytes (sha256 %s), want %d (sha256 %s)", len(got), sha256Hex(got), len(tt.data), want.SHA256)
			}
			if gotObj.Size != want.Size {
				t.Errorf("Get size %d, want %d", gotObj.Size, want.Size)
			}
			if tt.contentType != "" && gotObj.ContentType != tt.contentType {
				t.Errorf("Get content type %q, want %q", gotObj.ContentType, tt.contentType)
			}
			head, err := s.Head(t.Context(), bucket, key)
			if err != nil {
				t.Fatal(err)
			}
			if head.Size != want.Size {
				t.Errorf("Head size %d, want %d", head.Size, want.Size)
			}
		})
	}
}

var errBroken = errors.New("connection to client lost")

// failingReader yields n bytes, then fails.
func failingReader(n int64) io.Reader {
	return io.MultiReader(randomReader(7, n), iotest.ErrReader(errBroken))
}

func TestPutReaderFailureLeavesNothing(t *testing.T) {
	s, bucket := newTestStore(t)
	tests := []struct {
		name   string
		failAt int64
	}{
		{"at start", 0},
		{"within the first part", mib},
		{"in the third part (multipart)", 2*DefaultPartSize + mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "broken/" + strings.ReplaceAll(tt.name, " ", "-")
			_, err := s.Put(t.Context(), bucket, key, failingReader(tt.failAt), "")
			if !errors.Is(err, errBroken) {
				t.Fatalf("Put error %v, want one wrapping %v", err, errBroken)
			}
			if !strings.Contains(err.Error(), key) {
				t.Errorf("error %q does not name the key", err)
			}
			if _, err := s.Head(t.Context(), bucket, key); !errors.Is(err, ErrNotFound) {
				t.Errorf("Head after failed Put: %v, want ErrNotFound", err)
			}
			if uploads := pendingUploads(t, s, bucket); len(uploads) != 0 {
				t.Errorf("%d multipart uploads left pending", len(uploads))
			}
		})
	}
}

func TestPutCancelledLeavesNothing(t *testing.T) {
	s, bucket := newTestStore(t)
	// Cancel once the uploader has read into the third part: parts 1 and 2 may be on their
	// way, so the multipart upload must be aborted on a context that is not the cancelled one.
	ctx, cancel := context.WithCancel(t.Context())
	r := io.MultiReader(randomReader(8, 2*DefaultPartSize+mib), cancelReader{cancel}, randomReader(9, DefaultPartSize))
	if _, err := s.Put(ctx, bucket, "cancelled", r, ""); err == nil {
		t.Fatal("Put with a cancelled context succeeded")
	}
	if _, err := s.Head(t.Context(), bucket, "cancelled"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Head after cancelled Put: %v, want ErrNotFound", err)
	}
	if uploads := pendingUploads(t, s, bucket); len(uploads) != 0 {
		t.Errorf("%d multipart uploads left pending", len(uploads))
	}
}

// cancelReader cancels a context when read, and ends.
type cancelReader struct{ cancel context.CancelFunc }

func (r cancelReader) Read([]byte) (int, error) {
	r.cancel()
	return 0, io.EOF
}

func TestPutContentAddressed(t *testing.T) {
	s, bucket := newTestStore(t)
	const prefix = "institutions/42/documents"
	data := randomBytes(5, 3*mib)
	sum := sha256Hex(data)
	wantKey := prefix + "/sha256/" + sum[:2] + "/" + sum

	for i := range 2 {
		obj, err := s.PutContentAddressed(t.Context(), bucket, prefix, bytes.NewBuffer(data), "application/pdf")
		if err != nil {
			t.Fatalf("put %d: %v", i+1, err)
		}
		// The first put creates the object; the second finds it there.
		want := Object{Bucket: bucket, Key: wantKey, Size: int64(len(data)), SHA256: sum, ContentType: "application/pdf", Created: i == 0}
		if obj != want {
			t.Errorf("put %d returned %+v, want %+v", i+1, obj, want)
		}
	}
	if keys := listKeys(t, s, bucket, prefix+"/"); len(keys) != 1 || keys[0] != wantKey {
		t.Errorf("objects under %s: %q, want only %s", prefix, keys, wantKey)
	}

	got, obj := readAll(t, s, bucket, wantKey)
	if !bytes.Equal(got, data) {
		t.Error("content-addressed object differs from what was put")
	}
	if obj.SHA256 != sum || obj.ContentType != "application/pdf" {
		t.Errorf("Get returned sha256 %q content type %q, want %q %q", obj.SHA256, obj.ContentType, sum, "application/pdf")
	}
	if ContentKey(prefix, sum) != wantKey {
		t.Errorf("ContentKey = %s, want %s", ContentKey(prefix, sum), wantKey)
	}
}

func TestPutContentAddressedMultipartCopy(t *testing.T) {
	s, bucket := newTestStore(t)
	// Lower the limits so that a 12 MiB object takes the >5 GiB path: three part copies.
	s.maxSingleCopySize = 5 * mib
	s.copyPartSize = 5 * mib
	data := randomBytes(6, 12*mib)

	obj, err := s.PutContentAddressed(t.Context(), bucket, "p", bytes.NewBuffer(data), "")
	if err != nil {
		t.Fatal(err)
	}
	if obj.Key != ContentKey("p", sha256Hex(data)) {
		t.Errorf("key %s, want %s", obj.Key, ContentKey("p", sha256Hex(data)))
	}
	got, gotObj := readAll(t, s, bucket, obj.Key)
	if !bytes.Equal(got, data) {
		t.Errorf("read back %d bytes (sha256 %s), want %d (sha256 %s)", len(got), sha256Hex(got), len(data), sha256Hex(data))
	}
	if gotObj.SHA256 != obj.SHA256 {
		t.Errorf("Get sha256 %q, want %q", gotObj.SHA256, obj.SHA256)
	}
	if keys := listKeys(t, s, bucket, "p/"); len(keys) != 1 {
		t.Errorf("objects under p/: %q, want only %s", keys, obj.Key)
	}
	if uploads := pendingUploads(t, s, bucket); len(uploads) != 0 {
		t.Errorf("%d multipart uploads left pending", len(uploads))
	}
}

func TestPutContentAddressedReaderFailure(t *testing.T) {
	s, bucket := newTestStore(t)
	_, err := s.PutContentAddressed(t.Context(), bucket, "p", failingReader(DefaultPartSize+mib), "")
	if !errors.Is(err, errBroken) {
		t.Fatalf("error %v, want one wrapping %v", err, errBroken)
	}
	if keys := listKeys(t, s, bucket, ""); len(keys) != 0 {
		t.Errorf("objects left: %q", keys)
	}
	if uploads := pendingUploads(t, s, bucket); len(uploads) != 0 {
		t.Errorf("%d multipart uploads left pending", len(uploads))
	}
}

func TestNotFound(t *testing.T) {
	s, bucket := newTestStore(t)
	missingBucket := bucket + "-missing"
	tests := []struct {
		name string
		op   func() error
	}{
		{"get missing key", func() error { _, _, err := s.Get(t.Context(), bucket, "nope"); return err }},
		{"get missing bucket", func() error { _, _, err := s.Get(t.Context(), missingBucket, "nope"); return err }},
		{"head missing key", func() error { _, err := s.Head(t.Context(), bucket, "nope"); return err }},
		{"head missing bucket", func() error { _, err := s.Head(t.Context(), missingBucket, "nope"); return err }},
		{"delete in missing bucket", func() error { return s.Delete(t.Context(), missingBucket, "nope") }},
		{"put into missing bucket", func() error {
			_, err := s.Put(t.Context(), missingBucket, "k", strings.NewReader("x"), "")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.op()
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("got %v, want ErrNotFound", err)
			}
		})
	}
}

func TestDeleteAndEnsureBucketAreIdempotent(t *testing.T) {
	s, bucket := newTestStore(t)
	if err := s.EnsureBucket(t.Context(), bucket); err != nil {
		t.Errorf("EnsureBucket on our existing bucket: %v", err)
	}
	if _, err := s.Put(t.Context(), bucket, "k", strings.NewReader("x"), ""); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := s.Delete(t.Context(), bucket, "k"); err != nil {
			t.Errorf("delete %d: %v", i+1, err)
		}
	}
	if _, err := s.Head(t.Context(), bucket, "k"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Head after Delete: %v, want ErrNotFound", err)
	}
}
