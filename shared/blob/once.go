package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// ErrExists reports that PutOnce found its key already written.
var ErrExists = errors.New("the key is already written")

// PutOnce writes body under bucket/key only if nothing is there yet (a
// conditional PutObject, If-None-Match: *), so a record written once is
// never replaced through this store; a key already written is ErrExists.
// It is for small records (audit anchors): body is sent in one request.
func (s *Store) PutOnce(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      &bucket,
		Key:         &key,
		Body:        bytes.NewReader(body),
		ContentType: optional(contentType),
		IfNoneMatch: optional("*"),
	})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "PreconditionFailed" {
		return fmt.Errorf("put %s/%s: %w", bucket, key, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("put %s/%s: %w", bucket, key, classify(err))
	}
	return nil
}
