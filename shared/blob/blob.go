// Package blob stores objects (document bytes, backups) in S3-compatible object storage.
//
// Uploads stream with bounded memory whatever their size (multipart upload) and are
// checksummed (SHA-256) on the way in. Documents are stored content-addressed, under
// <prefix>/sha256/<first two hex digits>/<hex>; their metadata lives in PostgreSQL.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Defaults, also written in the envconfig tags of StoreConfig.
const (
	DefaultRegion            = "us-east-1"
	DefaultPartSize          = 8 << 20
	DefaultUploadConcurrency = 2
)

// ErrNotFound reports a missing object or bucket; test for it with errors.Is.
var ErrNotFound = errors.New("not found")

// StoreConfig is the object storage part of a function's configuration, read with envconfig.
// The tags are the full variable names, so it works embedded or as a named field.
// Bucket names are not here: every user of the package has its own bucket variable.
type StoreConfig struct {
	Endpoint        string `envconfig:"S3_ENDPOINT" required:"true"`
	Region          string `envconfig:"S3_REGION" default:"us-east-1"`
	AccessKeyID     string `envconfig:"S3_ACCESS_KEY_ID" required:"true"`
	SecretAccessKey string `envconfig:"S3_SECRET_ACCESS_KEY" required:"true"`
	// PartSize is the multipart upload part size in bytes (at least 5 MiB, the S3 minimum).
	// An upload holds about PartSize × (UploadConcurrency + 2) bytes in memory, and an
	// object can have at most 10,000 parts (80 GiB with the default).
	PartSize int64 `envconfig:"S3_PART_SIZE" default:"8388608"`
	// UploadConcurrency is the number of parts of one upload sent at the same time.
	UploadConcurrency int `envconfig:"S3_UPLOAD_CONCURRENCY" default:"2"`
}

// Object describes a stored object.
type Object struct {
	Bucket string
	Key    string
	Size   int64
	// SHA256 is the hex SHA-256 of the content. Put and PutContentAddressed always set it;
	// Get and Head set it only for content-addressed objects (it is kept in their metadata,
	// because Put cannot know the hash before the bytes have been sent).
	SHA256      string
	ContentType string
	// Created: PutContentAddressed wrote the content key, which was not
	// there before (another upload of the same bytes finds it there).
	Created bool
}

// Store reads and writes objects. It is safe for concurrent use.
type Store struct {
	client   *s3.Client
	transfer *transfermanager.Client
	// Part copies happen inside the server, so they cost no memory here; the limits are
	// fields only so that tests can exercise multipart copy without 5 GiB objects.
	maxSingleCopySize int64
	copyPartSize      int64
	copyConcurrency   int
}

// minPartSize is the smallest part S3 accepts in a multipart upload (but the last one).
const minPartSize = 5 << 20

// maxUploadParts is the largest number of parts S3 accepts in a multipart upload.
const maxUploadParts = 10000

// maxSingleCopySize is the largest object CopyObject can copy; larger ones need UploadPartCopy.
const maxSingleCopySize = 5 << 30

// copyPartSize is the part size of a multipart copy: large, since parts are copied by the
// server, but well under the 5 GiB limit on a part.
const copyPartSize = 512 << 20

// New returns a Store for the S3-compatible server described by cfg.
// It does not contact the server; ctx is accepted for symmetry with the other constructors.
func New(ctx context.Context, cfg StoreConfig) (*Store, error) {
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = DefaultPartSize
	}
	if cfg.UploadConcurrency == 0 {
		cfg.UploadConcurrency = DefaultUploadConcurrency
	}
	switch {
	case cfg.Endpoint == "":
		return nil, errors.New("blob: S3_ENDPOINT is required")
	case cfg.AccessKeyID == "" || cfg.SecretAccessKey == "":
		return nil, errors.New("blob: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are required")
	case cfg.PartSize < minPartSize:
		return nil, fmt.Errorf("blob: S3_PART_SIZE must be at least %d bytes, got %d", minPartSize, cfg.PartSize)
	case cfg.UploadConcurrency < 1:
		return nil, fmt.Errorf("blob: S3_UPLOAD_CONCURRENCY must be at least 1, got %d", cfg.UploadConcurrency)
	}

	// s3.New with explicit options rather than config.LoadDefaultConfig: the client then
	// depends on cfg alone, not on AWS_* variables or ~/.aws files that happen to be around.
	client := s3.New(s3.Options{
		Region:       cfg.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
		BaseEndpoint: aws.String(cfg.Endpoint),
		// Path-style addressing: S3-compatible servers rarely have wildcard DNS for buckets.
		UsePathStyle: true,
		// The SDK's default CRC checksum headers and trailers break many non-AWS servers.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	transfer := transfermanager.New(client, func(o *transfermanager.Options) {
		o.PartSizeBytes = cfg.PartSize
		// Shorter than one part: a single PutObject; otherwise multipart (an object of
		// exactly one part is a one-part upload, as with manager.Uploader). The transfer
		// manager reads this many bytes before choosing, so more would only cost memory.
		o.MultipartUploadThreshold = cfg.PartSize
		o.Concurrency = cfg.UploadConcurrency
		o.MaxUploadParts = maxUploadParts
		// The transfer manager has its own checksum setting (default: CRC32 on every
		// request), which overrides the client's on each of its calls.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		// Abort a failed multipart upload on a fresh context, so that a cancelled caller
		// does not leave its parts behind (by default the caller's context is used).
		o.FailTimeout = cleanupTimeout
	})
	return &Store{
		client:            client,
		transfer:          transfer,
		maxSingleCopySize: maxSingleCopySize,
		copyPartSize:      copyPartSize,
		copyConcurrency:   cfg.UploadConcurrency,
	}, nil
}

// Get opens the object for streaming; the caller must close the reader.
func (s *Store) Get(ctx context.Context, bucket, key string) (io.ReadCloser, Object, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return nil, Object{}, fmt.Errorf("get %s/%s: %w", bucket, key, classify(err))
	}
	return out.Body, Object{
		Bucket:      bucket,
		Key:         key,
		Size:        aws.ToInt64(out.ContentLength),
		SHA256:      out.Metadata[sha256Metadata],
		ContentType: aws.ToString(out.ContentType),
	}, nil
}

// Head describes the object without reading it.
func (s *Store) Head(ctx context.Context, bucket, key string) (Object, error) {
	obj, err := s.head(ctx, bucket, key)
	if err != nil {
		return Object{}, fmt.Errorf("head %s/%s: %w", bucket, key, err)
	}
	return obj, nil
}

func (s *Store) head(ctx context.Context, bucket, key string) (Object, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return Object{}, classify(err)
	}
	return Object{
		Bucket:      bucket,
		Key:         key,
		Size:        aws.ToInt64(out.ContentLength),
		SHA256:      out.Metadata[sha256Metadata],
		ContentType: aws.ToString(out.ContentType),
	}, nil
}

// Delete removes the object. Deleting a missing object is not an error (S3 semantics),
// so a retried delete succeeds; a missing bucket is ErrNotFound.
func (s *Store) Delete(ctx context.Context, bucket, key string) error {
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key}); err != nil {
		return fmt.Errorf("delete %s/%s: %w", bucket, key, classify(err))
	}
	return nil
}

// EnsureBucket creates the bucket if it does not exist. A bucket we already own is fine;
// one owned by someone else is an error.
func (s *Store) EnsureBucket(ctx context.Context, bucket string) error {
	in := &s3.CreateBucketInput{Bucket: &bucket}
	// us-east-1 is the one region that must not be named as a location constraint.
	if region := s.client.Options().Region; region != DefaultRegion {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(region),
		}
	}
	_, err := s.client.CreateBucket(ctx, in)
	var owned *types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		return fmt.Errorf("ensure bucket %s: %w", bucket, err)
	}
	return nil
}

// classify marks the S3 errors for a missing object or bucket as ErrNotFound, keeping the
// original error (which tells which of the two is missing) in the chain.
func classify(err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		// HeadObject has no response body, so a missing key there is just "NotFound".
		case "NoSuchKey", "NoSuchBucket", "NotFound":
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		}
	}
	return err
}
