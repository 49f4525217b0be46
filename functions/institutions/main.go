// Command institutions serves the public directory of institutions and
// their administration: an institution's settings, the institutions under
// it, its organisation chart, its staff accounts and its machine clients.
package main

import (
	"context"
	"log/slog"

	// Time zones are checked with time.LoadLocation; embedding the database
	// makes that work in any image, with or without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/links"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

type config struct {
	runtime.Config
	db.PoolConfig
	events.SinkConfig
	// PublicURL is where people reach the platform; invitation links start with it.
	PublicURL string `envconfig:"PUBLIC_URL" default:"http://127.0.0.1:8080"`
}

func main() {
	var cfg config
	runtime.Main("institutions", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		pool, err := db.Open(ctx, cfg.PoolConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		outbox, err := events.NewPlatformOutbox(pool, cfg.SinkConfig, log)
		if err != nil {
			return runtime.Function{}, err
		}
		s := &server{pool: pool, outbox: outbox, log: log,
			links: links.Mailer{Outbox: outbox, PublicURL: cfg.PublicURL, Source: Source}}
		router, err := access.NewRouter(&access.Authenticator{Pool: pool}, log)
		if err != nil {
			return runtime.Function{}, err
		}
		s.routes(router)
		return runtime.Function{
			Handler: router,
			Checks:  []runtime.Check{{Name: "database", Check: db.Ping(pool)}},
			Stop:    pool.Close,
		}, nil
	})
}
