// Command register-document is the electronic registry (registratura): it
// gives documents their legal registration numbers and keeps their files.
// Registrars register at the counter over HTTP, with scanned files; other
// functions and institutions' systems send ro.ghiseu.document.received
// events. Both ways end in the same registration, announced with
// ro.ghiseu.document.registered. It also serves the registers'
// administration, entries, corrections, annulments, receipts, document
// downloads, search and register exports.
package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	// Registration years and receipts use the institution's time zone;
	// embedding the database makes that work in any image.
	_ "time/tzdata"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/pdftext"
	"github.com/ghiseu/ghiseu/shared/runtime"
	"github.com/ghiseu/ghiseu/shared/weblinks"
)

type config struct {
	runtime.Config
	db.PoolConfig
	events.SinkConfig
	blob.StoreConfig
	DocumentsBucket string `envconfig:"S3_BUCKET_DOCUMENTS" required:"true"`
	// MaxFileSize is the largest file accepted, in bytes (200 MiB).
	MaxFileSize int64 `envconfig:"DOCUMENTS_MAX_FILE_SIZE" default:"209715200"`
	// MaxSearchText caps the text kept from one PDF for search, in bytes.
	MaxSearchText int `envconfig:"DOCUMENTS_MAX_SEARCH_TEXT" default:"1048576"`
	// PublicURL is where people reach the platform; receipts print the
	// address where they can be checked.
	PublicURL string `envconfig:"PUBLIC_URL" default:"http://127.0.0.1:8080"`
}

func main() {
	var cfg config
	runtime.Main("register-document", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		pool, err := db.Open(ctx, cfg.PoolConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		outbox, err := events.NewPlatformOutbox(pool, cfg.SinkConfig, log)
		if err != nil {
			return runtime.Function{}, err
		}
		store, err := blob.New(ctx, cfg.StoreConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		docs := &documents.Store{Blob: store, Bucket: cfg.DocumentsBucket, MaxSize: cfg.MaxFileSize,
			ExtractText: func(ctx context.Context, r io.ReaderAt, size int64) (string, error) {
				return pdftext.Extract(ctx, r, size, cfg.MaxSearchText)
			}}
		s := &server{pool: pool, outbox: outbox, docs: docs, log: log, site: weblinks.New(cfg.PublicURL)}
		router, err := access.NewRouter(&access.Authenticator{Pool: pool}, log)
		if err != nil {
			return runtime.Function{}, err
		}
		s.routes(router)
		// One Knative Service serves both ways in: the gateway sends the API
		// paths, the Broker posts CloudEvents to the root.
		mux := http.NewServeMux()
		mux.Handle("/api/", router)
		mux.Handle("POST /{$}", runtime.EventsHTTPHandler(log, outbox.Catalogue(), runtime.EventHandlerFunc(s.handleEvent)))
		return runtime.Function{
			Handler: mux,
			Checks:  []runtime.Check{{Name: "database", Check: db.Ping(pool)}},
			Stop:    pool.Close,
		}, nil
	})
}
