package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/mail"
	"github.com/ghiseu/ghiseu/shared/runtime"
	"github.com/ghiseu/ghiseu/shared/sms"
)

type config struct {
	runtime.Config
	db.PoolConfig
	mail.SMTPConfig
	sms.ProviderConfig
	// PublicURL is where people reach the platform; links in notifications
	// and the receipts' verification address start with it.
	PublicURL string `envconfig:"PUBLIC_URL" default:"http://127.0.0.1:8080"`
	// RetryBase and RetryMax bound the backoff between attempts of a
	// message that could not be sent; GiveUpAfter is when it is failed.
	RetryBase   time.Duration `envconfig:"NOTIFY_RETRY_BASE" default:"30s"`
	RetryMax    time.Duration `envconfig:"NOTIFY_RETRY_MAX" default:"1h"`
	GiveUpAfter time.Duration `envconfig:"NOTIFY_GIVE_UP_AFTER" default:"72h"`
	// Batch is how many due messages a retry tick claims at a time.
	Batch int `envconfig:"NOTIFY_BATCH" default:"50"`
}

func main() {
	var cfg config
	runtime.Main("notify", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		catalogue, err := events.Platform()
		if err != nil {
			return runtime.Function{}, err
		}
		templates, err := mail.LoadTemplates()
		if err != nil {
			return runtime.Function{}, err
		}
		mailer, err := mail.NewSMTP(cfg.SMTPConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		texter, err := sms.New(cfg.ProviderConfig, log)
		if err != nil {
			return runtime.Function{}, err
		}
		pool, err := db.Open(ctx, cfg.PoolConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		h, err := NewHandler(pool, templates, mailer, texter, log, Options{PublicURL: strings.TrimRight(cfg.PublicURL, "/"),
			RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax, GiveUpAfter: cfg.GiveUpAfter, Batch: cfg.Batch})
		if err != nil {
			pool.Close()
			return runtime.Function{}, err
		}
		router, err := access.NewRouter(&access.Authenticator{Pool: pool}, log)
		if err != nil {
			pool.Close()
			return runtime.Function{}, err
		}
		h.routes(router)
		// One Knative Service serves both ways in: the gateway sends the API
		// paths, the Broker posts CloudEvents (and the retry ticks) to the root.
		mux := http.NewServeMux()
		mux.Handle("/api/", router)
		mux.Handle("POST /{$}", runtime.EventsHTTPHandler(log, catalogue, h))
		return runtime.Function{
			Handler: mux,
			// Readiness is the database only: while the mail server is down
			// notify still queues every notification, which is what it should
			// do, rather than leave the rotation.
			Checks: []runtime.Check{{Name: "database", Check: db.Ping(pool)}},
			Stop:   pool.Close,
		}, nil
	})
}
