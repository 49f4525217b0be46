// Command request-types serves institutions' catalogues of request types:
// what a citizen may ask an institution online, each type with its form
// (a JSON Schema, package forms), the kinds of attachments it takes, the
// competent department, the legal regime of its deadline and the register
// its requests are registered in. Anyone reads the published catalogue;
// holders of requests.types.manage define types, edit drafts, publish
// versions and withdraw types. Every change is audited.
package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

type config struct {
	runtime.Config
	db.PoolConfig
	// MaxFileSize is the largest file the platform accepts (submit-request
	// and register-document read the same variable): no attachment kind may
	// promise more (200 MiB).
	MaxFileSize int64 `envconfig:"DOCUMENTS_MAX_FILE_SIZE" default:"209715200"`
}

func main() {
	var cfg config
	runtime.Main("request-types", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		if cfg.MaxFileSize <= 0 {
			return runtime.Function{}, fmt.Errorf("DOCUMENTS_MAX_FILE_SIZE must be a positive number of bytes, not %d", cfg.MaxFileSize)
		}
		pool, err := db.Open(ctx, cfg.PoolConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		router, err := access.NewRouter(&access.Authenticator{Pool: pool}, log)
		if err != nil {
			return runtime.Function{}, err
		}
		s := &server{pool: pool, log: log, maxFileSize: cfg.MaxFileSize}
		s.routes(router)
		return runtime.Function{
			Handler: router,
			Checks:  []runtime.Check{{Name: "database", Check: db.Ping(pool)}},
			Stop:    pool.Close,
		}, nil
	})
}
