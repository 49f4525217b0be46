package main

import (
	"context"
	"log/slog"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/mail"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

type config struct {
	runtime.Config
	db.PoolConfig
	mail.SMTPConfig
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
		sender, err := mail.NewSMTP(cfg.SMTPConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		pool, err := db.Open(ctx, cfg.PoolConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		h, err := NewHandler(pool, templates, sender, log)
		if err != nil {
			pool.Close()
			return runtime.Function{}, err
		}
		return runtime.Function{
			Handler: runtime.EventsHTTPHandler(log, catalogue, h),
			// Readiness is the database only: while the mail server is down,
			// notify answers 500 and the Broker retries, which is what it
			// should do, rather than leave the rotation.
			Checks: []runtime.Check{{Name: "database", Check: db.Ping(pool)}},
			Stop:   pool.Close,
		}, nil
	})
}
