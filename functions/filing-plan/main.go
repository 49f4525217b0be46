// Command filing-plan serves an institution's filing plan (nomenclatorul
// arhivistic, Law 16/1996): the files (dosare) of each year that registry
// entries are filed into, their closure, the copying of a year's plan to
// the next, and the inventory of a closed file for the archive, as CSV or
// PDF.
package main

import (
	"context"
	"log/slog"

	// The inventory prints times in the institution's time zone, loaded
	// with time.LoadLocation; embedding the database makes that work in any
	// image, with or without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

type config struct {
	runtime.Config
	db.PoolConfig
	events.SinkConfig
}

func main() {
	var cfg config
	runtime.Main("filing-plan", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		pool, err := db.Open(ctx, cfg.PoolConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		outbox, err := events.NewPlatformOutbox(pool, cfg.SinkConfig, log)
		if err != nil {
			return runtime.Function{}, err
		}
		router, err := access.NewRouter(&access.Authenticator{Pool: pool}, log)
		if err != nil {
			return runtime.Function{}, err
		}
		s := &server{pool: pool, outbox: outbox, log: log}
		s.routes(router)
		return runtime.Function{
			Handler: router,
			Checks:  []runtime.Check{{Name: "database", Check: db.Ping(pool)}},
			Stop:    pool.Close,
		}, nil
	})
}
