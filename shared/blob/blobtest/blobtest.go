// Package blobtest gives tests the S3 server that `make test` starts
// (versitygw; TEST_S3_* in the environment) and buckets of their own.
package blobtest

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"

	"github.com/ghiseu/ghiseu/shared/blob"
)

// Config is the test server's configuration.
func Config(t testing.TB) blob.StoreConfig {
	t.Helper()
	cfg := blob.StoreConfig{Endpoint: os.Getenv("TEST_S3_ENDPOINT"), Region: blob.DefaultRegion,
		AccessKeyID: os.Getenv("TEST_S3_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("TEST_S3_SECRET_ACCESS_KEY")}
	if cfg.Endpoint == "" || cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
		t.Fatal("TEST_S3_ENDPOINT, TEST_S3_ACCESS_KEY_ID and TEST_S3_SECRET_ACCESS_KEY are not set: " +
			"run the tests through `make test`, which starts an S3 server (versitygw) and sets them")
	}
	return cfg
}

// New returns a store on the test server.
func New(t testing.TB) *blob.Store {
	t.Helper()
	s, err := blob.New(context.Background(), Config(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Bucket creates a bucket named prefix-<random> on s and returns its name.
func Bucket(t testing.TB, s *blob.Store, prefix string) string {
	t.Helper()
	name := prefix + "-" + strings.ToLower(rand.Text()[:12])
	if err := s.EnsureBucket(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	return name
}
