// Command auth signs people and systems in: sign-up, email verification,
// sign-in with an optional second factor (TOTP), sessions, passwords, and
// the account holder's own data.
package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/pii"
	"github.com/ghiseu/ghiseu/shared/runtime"
	"github.com/ghiseu/ghiseu/shared/throttle"
)

type config struct {
	runtime.Config
	db.PoolConfig
	events.SinkConfig
	pii.KeysConfig
	// PublicURL is where citizens reach the platform; links in mails start with it.
	PublicURL string `envconfig:"PUBLIC_URL" default:"http://127.0.0.1:8080"`
	// LockAfter failures on one account lock it for LockFor; the callers'
	// addresses are only slowed down, never locked.
	LockAfter int           `envconfig:"AUTH_LOCK_AFTER" default:"10"`
	LockFor   time.Duration `envconfig:"AUTH_LOCK_FOR" default:"15m"`
}

func main() {
	var cfg config
	runtime.Main("auth", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		pool, err := db.Open(ctx, cfg.PoolConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		outbox, err := events.NewPlatformOutbox(pool, cfg.SinkConfig, log)
		if err != nil {
			return runtime.Function{}, err
		}
		protector, err := pii.New(cfg.KeysConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		s := newServer(pool, outbox, protector, log, cfg.PublicURL, throttle.Policy{
			Free: 3, Lock: cfg.LockAfter, LockFor: cfg.LockFor, Window: time.Hour,
		})
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
