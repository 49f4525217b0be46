// Command audit-trail lets auditors read an institution's audit trail,
// filtered and paginated, and check that its chain is intact.
package main

import (
	"context"
	"log/slog"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

type config struct {
	runtime.Config
	db.PoolConfig
}

func main() {
	var cfg config
	runtime.Main("audit-trail", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		pool, err := db.Open(ctx, cfg.PoolConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		router, err := access.NewRouter(&access.Authenticator{Pool: pool}, log)
		if err != nil {
			return runtime.Function{}, err
		}
		s := &server{pool: pool, log: log}
		s.routes(router)
		return runtime.Function{
			Handler: router,
			Checks:  []runtime.Check{{Name: "database", Check: db.Ping(pool)}},
			Stop:    pool.Close,
		}, nil
	})
}
