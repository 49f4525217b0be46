package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

type config struct {
	runtime.Config
	db.PoolConfig
	events.SinkConfig
	Batch    int           `envconfig:"OUTBOX_RELAY_BATCH" default:"200"`
	KeepSent time.Duration `envconfig:"OUTBOX_KEEP_SENT" default:"168h"`
}

// RelayResult is what one relay pass did.
type RelayResult = events.RelayResult

func main() {
	var cfg config
	runtime.Main("outbox-relay", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		pool, err := db.Open(ctx, cfg.PoolConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		outbox, err := events.NewPlatformOutbox(pool, cfg.SinkConfig, log)
		if err != nil {
			return runtime.Function{}, err
		}
		h := &Handler{Outbox: outbox, Log: log, Batch: cfg.Batch, KeepSent: cfg.KeepSent}
		return runtime.Function{
			Handler: runtime.EventsHTTPHandler(log, outbox.Catalogue(), h),
			Checks:  []runtime.Check{{Name: "database", Check: db.Ping(pool)}},
			Stop:    pool.Close,
		}, nil
	})
}
