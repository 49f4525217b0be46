// Command submit-request is the citizen's side of requests: the applicant
// submits a request of a published type with its files, follows it ("my
// requests", the detail with its history and documents), answers the
// institution's information requests, and anyone holding a receipt looks
// its status up. A submitted request goes to the registry as
// ro.ghiseu.document.received; when ro.ghiseu.document.registered comes
// back, the request gets its number, date and legal deadline.
package main

import (
	"context"
	"log/slog"
	"net/http"

	// Deadlines and receipts use the institution's time zone; embedding
	// the database makes that work in any image.
	_ "time/tzdata"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/pii"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

type config struct {
	runtime.Config
	db.PoolConfig
	events.SinkConfig
	blob.StoreConfig
	pii.KeysConfig
	DocumentsBucket string `envconfig:"S3_BUCKET_DOCUMENTS" required:"true"`
	// MaxFileSize caps any file, whatever a request type allows (200 MiB).
	MaxFileSize int64 `envconfig:"DOCUMENTS_MAX_FILE_SIZE" default:"209715200"`
}

func main() {
	var cfg config
	runtime.Main("submit-request", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		protector, err := pii.New(cfg.KeysConfig)
		if err != nil {
			return runtime.Function{}, err
		}
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
		s := &server{pool: pool, outbox: outbox, log: log, pii: protector,
			docs: &documents.Store{Blob: store, Bucket: cfg.DocumentsBucket, MaxSize: cfg.MaxFileSize}}
		router, err := access.NewRouter(&access.Authenticator{Pool: pool}, log)
		if err != nil {
			return runtime.Function{}, err
		}
		s.routes(router)
		// The gateway sends the API paths; the Broker posts CloudEvents to the root.
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
