package main

import (
	"context"
	"log/slog"

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
	runtime.Main("dead-letter", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		pool, err := db.Open(ctx, cfg.PoolConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		outbox, err := events.NewPlatformOutbox(pool, cfg.SinkConfig, log)
		if err != nil {
			return runtime.Function{}, err
		}
		h := &Handler{Pool: pool, Outbox: outbox, Log: log}
		return runtime.Function{
			// The data of a dead-lettered event is whatever failed; it is
			// stored as it is, not validated.
			Handler: runtime.EventsHTTPHandler(log, nil, h),
			Checks:  []runtime.Check{{Name: "database", Check: db.Ping(pool)}},
			Stop:    pool.Close,
		}, nil
	})
}
