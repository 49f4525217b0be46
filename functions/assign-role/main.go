// Command assign-role assigns roles to the staff and machine clients of an
// institution and revokes them: through the HTTP API (administrators, in
// the back office) and through ro.ghiseu.role.assignment.requested events
// (an institution's HR system), under the same rules (package roles).
package main

import (
	"context"
	"log/slog"
	"net/http"

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
	runtime.Main("assign-role", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		pool, err := db.Open(ctx, cfg.PoolConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		outbox, err := events.NewPlatformOutbox(pool, cfg.SinkConfig, log)
		if err != nil {
			return runtime.Function{}, err
		}
		s := &server{pool: pool, outbox: outbox, log: log}
		router, err := access.NewRouter(&access.Authenticator{Pool: pool}, log)
		if err != nil {
			return runtime.Function{}, err
		}
		s.routes(router)
		// One Knative Service serves both ways in: the gateway sends the API
		// paths, the Broker posts CloudEvents to the root.
		mux := http.NewServeMux()
		mux.Handle("/api/", router)
		mux.Handle("POST /{$}", runtime.EventsHTTPHandler(log, outbox.Catalogue(), runtime.EventHandlerFunc(s.handleEvent)))
		return runtime.Function{
			Handler: mux,
			Checks:  []runtime.Check{{Name: "database", Check: db.Ping(pool)}},
			Stop:    pool.Close,
		}, nil
	})
}
