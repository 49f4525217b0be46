package blob

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// sha256Metadata is the user metadata key (x-amz-meta-sha256) holding the hex SHA-256 of
// content-addressed objects.
const sha256Metadata = "sha256"

// cleanupTimeout bounds the requests that remove what a failed write left behind. They run
// on a context detached from the caller's, since a cancelled caller is a common reason for
// the failure.
const cleanupTimeout = 30 * time.Second

// Put streams r into bucket/key, computing its size and SHA-256 on the way.
//
// Memory stays at about PartSize × (UploadConcurrency + 2) whatever the size: objects of
// up to one part go up with one PutObject, larger ones with a multipart upload.
//
// On error nothing is left under key: a failed multipart upload is aborted, and when the
// server may have stored the object anyway (the PutObject or the completion failed after
// the data was sent, for example because ctx was cancelled) the key is deleted. That
// includes an older object under the same key, which is fine here: keys are written once.
func (s *Store) Put(ctx context.Context, bucket, key string, r io.Reader, contentType string) (Object, error) {
	obj, err := s.put(ctx, bucket, key, r, contentType)
	if err != nil {
		return Object{}, fmt.Errorf("put %s/%s: %w", bucket, key, err)
	}
	return obj, nil
}

func (s *Store) put(ctx context.Context, bucket, key string, r io.Reader, contentType string) (Object, error) {
	body := &hashingReader{r: r, hash: sha256.New()}
	_, err := s.transfer.UploadObject(ctx, &transfermanager.UploadObjectInput{
		Bucket:      &bucket,
		Key:         &key,
		Body:        body,
		ContentType: optional(contentType),
	})
	if err != nil {
		s.cleanupFailedPut(ctx, bucket, key, err, body.err)
		return Object{}, classify(err)
	}
	return Object{
		Bucket:      bucket,
		Key:         key,
		Size:        body.size,
		SHA256:      hex.EncodeToString(body.hash.Sum(nil)),
		ContentType: contentType,
	}, nil
}

// cleanupFailedPut removes whatever a failed upload may have left behind. Errors are
// ignored: the upload's own error is the one to report.
func (s *Store) cleanupFailedPut(ctx context.Context, bucket, key string, uploadErr, readErr error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()

	// The transfer manager aborts a failed multipart upload itself, on a fresh context
	// (FailTimeout), but that abort can fail too, and then the parts stay. Abort again:
	// aborting an upload that is already gone only returns NoSuchUpload.
	var failure transfermanager.MultipartUploadError
	if errors.As(uploadErr, &failure) && failure.UploadID() != "" {
		_, _ = s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
			Bucket: &bucket, Key: &key, UploadId: aws.String(failure.UploadID()),
		})
	}
	// A reader error stops the upload before anything is completed: the single PutObject
	// is only sent after its whole body was read, and a multipart upload is aborted.
	// Any other failure (network, server, cancellation) may have come after the server
	// stored the object, and we cannot tell, so delete it.
	if readErr == nil {
		_, _ = s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
	}
}

// hashingReader hashes and counts what is read through it. The transfer manager reads its
// body sequentially from one goroutine (it buffers each part before sending it), so the bytes
// are hashed exactly once and in order, unlike hashing the parts as they are sent.
type hashingReader struct {
	r    io.Reader
	hash hash.Hash
	size int64
	err  error // the first read error other than io.EOF
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.hash.Write(p[:n])
	h.size += int64(n)
	if err != nil && err != io.EOF && h.err == nil {
		h.err = err
	}
	return n, err
}

// ContentKey is the key of the content-addressed object with the given hex SHA-256 under
// prefix: <prefix>/sha256/<first two hex digits>/<hex>. The two-digit level keeps listings
// and file-system backed servers from having millions of entries in one directory.
func ContentKey(prefix, sha256Hex string) string {
	return joinKey(prefix, "sha256", sha256Hex[:2], sha256Hex)
}

// PutContentAddressed stores r under ContentKey(prefix, sha256 of r) and returns it.
//
// The hash is only known once everything has been read, so the bytes are first streamed to
// a temporary key <prefix>/tmp/<random>, then copied (inside the server) to their content
// key unless an object of the same size is already there. The temporary object is deleted
// in every case. Storing the same bytes twice thus yields one object; concurrent puts of
// the same bytes may both copy, which is harmless since they write the same content.
func (s *Store) PutContentAddressed(ctx context.Context, bucket, prefix string, r io.Reader, contentType string) (Object, error) {
	tmpKey := joinKey(prefix, "tmp", rand.Text())
	tmp, err := s.put(ctx, bucket, tmpKey, r, contentType)
	if err != nil {
		return Object{}, fmt.Errorf("put %s/%s: %w", bucket, tmpKey, err)
	}

	obj, err := s.storeContent(ctx, tmp, prefix)

	// Delete the temporary object on success and on failure. Detached from ctx: a
	// cancelled caller must not leave it behind.
	delCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if delErr := s.Delete(delCtx, bucket, tmpKey); delErr != nil {
		// Reported even after a successful copy, so that leftovers do not pile up unseen;
		// retrying is safe since the content key is already in place.
		err = errors.Join(err, fmt.Errorf("remove temporary object: %w", delErr))
	}
	if err != nil {
		return Object{}, fmt.Errorf("put content-addressed %s/%s: %w", bucket, prefix, err)
	}
	return obj, nil
}

// storeContent copies the temporary object tmp to its content key under prefix, unless it
// is already there.
func (s *Store) storeContent(ctx context.Context, tmp Object, prefix string) (Object, error) {
	obj := tmp
	obj.Key = ContentKey(prefix, tmp.SHA256)

	existing, err := s.head(ctx, obj.Bucket, obj.Key)
	switch {
	case err == nil && existing.Size == obj.Size:
		// Same key, so same hash: the bytes are already stored.
		return obj, nil
	case err == nil, errors.Is(err, ErrNotFound):
		// Missing, or present with the wrong size (damaged): (re)write it.
	default:
		return Object{}, fmt.Errorf("head %s: %w", obj.Key, err)
	}

	if err := s.copy(ctx, tmp, obj); err != nil {
		return Object{}, fmt.Errorf("copy %s to %s: %w", tmp.Key, obj.Key, err)
	}
	obj.Created = errors.Is(err, ErrNotFound)
	return obj, nil
}

// copy copies src to dst inside the server and records the SHA-256 in dst's metadata.
func (s *Store) copy(ctx context.Context, src, dst Object) error {
	if src.Size > s.maxSingleCopySize {
		return s.multipartCopy(ctx, src, dst)
	}
	_, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:     &dst.Bucket,
		Key:        &dst.Key,
		CopySource: aws.String(copySource(src.Bucket, src.Key)),
		// REPLACE to add the hash; the content type must then be given again.
		MetadataDirective: types.MetadataDirectiveReplace,
		Metadata:          map[string]string{sha256Metadata: dst.SHA256},
		ContentType:       optional(dst.ContentType),
	})
	return classify(err)
}

// multipartCopy copies objects larger than CopyObject allows (5 GiB) with UploadPartCopy,
// a range of the source per part, aborting the upload if any part fails.
func (s *Store) multipartCopy(ctx context.Context, src, dst Object) error {
	// At most maxUploadParts parts, so grow the part size for huge objects.
	partSize := max(s.copyPartSize, (src.Size+maxUploadParts-1)/maxUploadParts)
	parts := make([]types.CompletedPart, (src.Size+partSize-1)/partSize)

	created, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:      &dst.Bucket,
		Key:         &dst.Key,
		Metadata:    map[string]string{sha256Metadata: dst.SHA256},
		ContentType: optional(dst.ContentType),
	})
	if err != nil {
		return classify(err)
	}
	uploadID := created.UploadId

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.copyConcurrency)
	for i := range parts {
		number := aws.Int32(int32(i + 1))
		first := int64(i) * partSize
		last := min(first+partSize, src.Size) - 1
		g.Go(func() error {
			out, err := s.client.UploadPartCopy(gctx, &s3.UploadPartCopyInput{
				Bucket:          &dst.Bucket,
				Key:             &dst.Key,
				UploadId:        uploadID,
				PartNumber:      number,
				CopySource:      aws.String(copySource(src.Bucket, src.Key)),
				CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", first, last)),
			})
			if err != nil {
				return fmt.Errorf("part %d: %w", *number, classify(err))
			}
			parts[i] = types.CompletedPart{ETag: out.CopyPartResult.ETag, PartNumber: number}
			return nil
		})
	}
	err = g.Wait()
	if err == nil {
		_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket:          &dst.Bucket,
			Key:             &dst.Key,
			UploadId:        uploadID,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
	}
	if err != nil {
		abortCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_, _ = s.client.AbortMultipartUpload(abortCtx, &s3.AbortMultipartUploadInput{
			Bucket: &dst.Bucket, Key: &dst.Key, UploadId: uploadID,
		})
		return err
	}
	return nil
}

// copySource is the URL-encoded "bucket/key" the copy operations expect.
func copySource(bucket, key string) string {
	segments := strings.Split(key, "/")
	for i, s := range segments {
		segments[i] = url.PathEscape(s)
	}
	return url.PathEscape(bucket) + "/" + strings.Join(segments, "/")
}

// joinKey joins key segments with "/"; an empty prefix adds no leading slash.
func joinKey(prefix string, segments ...string) string {
	return path.Join(append([]string{prefix}, segments...)...)
}

// optional maps "" to nil, for optional request fields.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
