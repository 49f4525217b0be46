package blob

import (
	"context"
	"fmt"
	"iter"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// List yields the objects of bucket whose keys start with prefix, in key
// order, a page of the server's at a time.
func (s *Store) List(ctx context.Context, bucket, prefix string) iter.Seq2[Object, error] {
	return func(yield func(Object, error) bool) {
		pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield(Object{}, fmt.Errorf("list %s/%s: %w", bucket, prefix, classify(err)))
				return
			}
			for _, o := range page.Contents {
				obj := Object{Bucket: bucket}
				if o.Key != nil {
					obj.Key = *o.Key
				}
				if o.Size != nil {
					obj.Size = *o.Size
				}
				if !yield(obj, nil) {
					return
				}
			}
		}
	}
}
