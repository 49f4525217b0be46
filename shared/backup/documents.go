package backup

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"filippo.io/age"

	"github.com/ghiseu/ghiseu/shared/blob"
)

// Documents is what a backup covers of the documents bucket: every
// content-addressed object, listed (key and SHA-256) in an encrypted
// object of its own.
type Documents struct {
	Objects int   `json:"objects"`
	Bytes   int64 `json:"bytes"`
	// Copied is how many this backup copied; the others were there from
	// an earlier one (copies are by content, so each is made once).
	Copied int    `json:"copied"`
	List   Object `json:"list"`
	// Damaged lists the objects whose bytes no longer have the SHA-256
	// their key names, and that no earlier backup holds: they are not in
	// this backup, and the fixity check and an operator must see to them.
	Damaged []string `json:"damaged,omitempty"`
}

// documentKey is where a document's object is kept in the backup bucket:
// beside the backups, not under them, so that listing the backups does not
// walk every document. Every backup shares the copy.
func documentKey(key string) string { return path.Join("documents", key+".age") }

// contentSHA256 is the SHA-256 a content-addressed key names
// (<prefix>/sha256/ab/<hex>), or "" for any other key.
func contentSHA256(key string) string {
	dir, file := path.Split(key)
	if len(file) != 64 || !strings.Contains(dir, "/sha256/") && !strings.HasPrefix(dir, "sha256/") {
		return ""
	}
	if _, err := hex.DecodeString(file); err != nil {
		return ""
	}
	return file
}

// copyDocuments copies, encrypted, every content-addressed object of the
// documents bucket the backup bucket does not hold yet, checking on the
// way that its bytes still have the SHA-256 its key names (a changed one
// is reported in Damaged and not copied; a good copy from an earlier
// backup stays), and writes the listing of all of them.
func (d *Dumper) copyDocuments(ctx context.Context, id string) (Documents, error) {
	var docs Documents
	var listing bytes.Buffer
	for o, err := range d.Documents.List(ctx, d.DocumentsBucket, "") {
		if err != nil {
			return Documents{}, err
		}
		sum := contentSHA256(o.Key)
		if sum == "" {
			// Temporary objects of uploads in flight, and anything else
			// not content-addressed, are not documents.
			continue
		}
		key := documentKey(o.Key)
		if _, err := d.Blob.Head(ctx, d.Bucket, key); err == nil {
			docs.Objects, docs.Bytes = docs.Objects+1, docs.Bytes+o.Size
			fmt.Fprintf(&listing, "%s %s\n", o.Key, sum)
			continue
		} else if !errors.Is(err, blob.ErrNotFound) {
			return Documents{}, fmt.Errorf("document %s: %w", o.Key, err)
		}
		if err := d.copyDocument(ctx, o, key, sum); errors.Is(err, ErrChecksum) {
			// One damaged document must not cost the night's backup of
			// everything else: it is reported, not copied.
			docs.Damaged = append(docs.Damaged, o.Key)
			continue
		} else if err != nil {
			return Documents{}, err
		}
		docs.Objects, docs.Bytes, docs.Copied = docs.Objects+1, docs.Bytes+o.Size, docs.Copied+1
		fmt.Fprintf(&listing, "%s %s\n", o.Key, sum)
	}
	list, err := d.putEncrypted(ctx, path.Join(d.prefix(), id, "documents.age"), &listing)
	if err != nil {
		return Documents{}, fmt.Errorf("documents listing: %w", err)
	}
	docs.List = list
	return docs, nil
}

// copyDocument streams one object, encrypted, into the backup bucket.
func (d *Dumper) copyDocument(ctx context.Context, o blob.Object, key, sum string) error {
	body, _, err := d.Documents.Get(ctx, d.DocumentsBucket, o.Key)
	if err != nil {
		return fmt.Errorf("document %s: %w", o.Key, err)
	}
	defer body.Close()
	h := sha256.New()
	if _, err := d.putEncrypted(ctx, key, io.TeeReader(body, h)); err != nil {
		return fmt.Errorf("document %s: %w", o.Key, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		// Not kept: a copy of changed bytes would pass for the document.
		_ = d.Blob.Delete(context.WithoutCancel(ctx), d.Bucket, key)
		return fmt.Errorf("document %s: its bytes have SHA-256 %s: %w", o.Key, got, ErrChecksum)
	}
	return nil
}

// putEncrypted streams r through age into the backup bucket at key.
func (d *Dumper) putEncrypted(ctx context.Context, key string, r io.Reader) (Object, error) {
	pr, pw := io.Pipe()
	plain := sha256.New()
	var plainSize int64
	go func() {
		enc, err := age.Encrypt(pw, d.Recipients...)
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		n, err := io.Copy(io.MultiWriter(enc, plain), r)
		plainSize = n
		if err == nil {
			err = enc.Close()
		}
		pw.CloseWithError(err) // nil closes normally
	}()
	stored, err := d.Blob.Put(ctx, d.Bucket, key, pr, "application/octet-stream")
	pr.CloseWithError(errors.New("upload ended"))
	if err != nil {
		return Object{}, err
	}
	return Object{Key: key, Size: stored.Size, SHA256: stored.SHA256, PlainSize: plainSize,
		PlainSHA256: hex.EncodeToString(plain.Sum(nil)), Encryption: "age"}, nil
}

// RestoreDocuments puts every document the backup lists back into the
// (empty) documents bucket, decrypted, checking each one's SHA-256.
func (r *Restorer) RestoreDocuments(ctx context.Context, m Manifest, dst *blob.Store, bucket string) (int, error) {
	if m.Documents == nil {
		return 0, nil
	}
	listing, err := r.openEncrypted(ctx, m.Documents.List.Key)
	if err != nil {
		return 0, fmt.Errorf("documents listing: %w", err)
	}
	defer listing.Close()
	n := 0
	lines := bufio.NewScanner(listing)
	for lines.Scan() {
		key, sum, ok := strings.Cut(lines.Text(), " ")
		if !ok || contentSHA256(key) != sum {
			return n, fmt.Errorf("documents listing: malformed line %q", lines.Text())
		}
		if err := r.restoreDocument(ctx, key, sum, dst, bucket); err != nil {
			return n, err
		}
		n++
	}
	if err := lines.Err(); err != nil {
		return n, fmt.Errorf("documents listing: %w", err)
	}
	if n != m.Documents.Objects {
		return n, fmt.Errorf("the listing has %d documents, the manifest %d: %w", n, m.Documents.Objects, ErrChecksum)
	}
	return n, nil
}

func (r *Restorer) restoreDocument(ctx context.Context, key, sum string, dst *blob.Store, bucket string) error {
	body, err := r.openEncrypted(ctx, documentKey(key))
	if err != nil {
		return fmt.Errorf("document %s: %w", key, err)
	}
	defer body.Close()
	// Stored content-addressed again, as the documents store does: the
	// same key, with the checksum in the object's metadata.
	prefix, _, _ := strings.Cut(key, "/sha256/")
	if strings.HasPrefix(key, "sha256/") {
		prefix = ""
	}
	stored, err := dst.PutContentAddressed(ctx, bucket, prefix, body, "application/octet-stream")
	if err != nil {
		return fmt.Errorf("document %s: %w", key, err)
	}
	if stored.Key != key || stored.SHA256 != sum {
		_ = dst.Delete(context.WithoutCancel(ctx), bucket, stored.Key)
		return fmt.Errorf("document %s: restored with SHA-256 %s: %w", key, stored.SHA256, ErrChecksum)
	}
	return nil
}

// openEncrypted opens an age-encrypted object of the backup bucket.
func (r *Restorer) openEncrypted(ctx context.Context, key string) (io.ReadCloser, error) {
	body, _, err := r.Blob.Get(ctx, r.Bucket, key)
	if err != nil {
		return nil, err
	}
	dec, err := age.Decrypt(body, r.Identities...)
	if err != nil {
		body.Close()
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, ErrKey
		}
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{dec, body}, nil
}
