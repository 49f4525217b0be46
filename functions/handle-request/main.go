// Command handle-request is the institution's side of citizens' requests:
// staff of the competent department see their requests by deadline and act
// on them: assign them to a clerk, start, ask the applicant for
// information, extend the term once, resolve with an answer document,
// reject, forward to the competent institution, or file away. Each action
// is one requests.Action: a history row, an event and an audit row. A
// resolution's answer is sent to the registry to be registered as outgoing.
// A daily tick reminds clerks of the requests whose deadline is near.
package main

import (
	"context"
	"log/slog"
	"net/http"

	// Deadlines use the institution's time zone; embedding the database
	// makes that work in any image.
	_ "time/tzdata"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

type config struct {
	runtime.Config
	db.PoolConfig
	events.SinkConfig
	blob.StoreConfig
	DocumentsBucket string `envconfig:"S3_BUCKET_DOCUMENTS" required:"true"`
	// MaxFileSize is the largest answer document accepted, in bytes (200 MiB).
	MaxFileSize int64 `envconfig:"DOCUMENTS_MAX_FILE_SIZE" default:"209715200"`
	// ReminderDays: the daily deadline watch reminds of an open request
	// when its deadline is this many days away (0: the last day).
	ReminderDays []int `envconfig:"REQUEST_REMINDER_DAYS" default:"3,1,0"`
	// RefusalReminderDays: it reminds of an open request for public
	// information when its 5-day term for a reasoned refusal ends this many
	// days away (the eve and the last day).
	RefusalReminderDays []int `envconfig:"REQUEST_REFUSAL_REMINDER_DAYS" default:"1,0"`
}

func main() {
	var cfg config
	runtime.Main("handle-request", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
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
		s := &server{pool: pool, outbox: outbox, log: log, reminderDays: cfg.ReminderDays,
			refusalReminderDays: cfg.RefusalReminderDays,
			docs:                &documents.Store{Blob: store, Bucket: cfg.DocumentsBucket, MaxSize: cfg.MaxFileSize}}
		router, err := access.NewRouter(&access.Authenticator{Pool: pool}, log)
		if err != nil {
			return runtime.Function{}, err
		}
		s.routes(router)
		mux := http.NewServeMux()
		mux.Handle("/api/", router)
		// The Broker posts the deadline watch's daily tick to the root.
		mux.Handle("POST /{$}", runtime.EventsHTTPHandler(log, outbox.Catalogue(), runtime.EventHandlerFunc(s.watchDeadlines)))
		return runtime.Function{
			Handler: mux,
			Checks:  []runtime.Check{{Name: "database", Check: db.Ping(pool)}},
			Stop:    pool.Close,
		}, nil
	})
}
