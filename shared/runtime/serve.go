package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Check is a readiness condition, such as "the database answers".
type Check struct {
	Name  string
	Check func(context.Context) error
}

// Serve runs h on cfg.Host:cfg.Port with /healthz (liveness) and /readyz
// (readiness: every check passes) beside it, until ctx is done; then it stops
// accepting, answers not-ready, and waits up to cfg.ShutdownTimeout for
// in-flight requests to finish.
func Serve(ctx context.Context, cfg Config, log *slog.Logger, h http.Handler, checks ...Check) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return serveListener(ctx, ln, cfg, log, h, checks)
}

func serveListener(ctx context.Context, ln net.Listener, cfg Config, log *slog.Logger, h http.Handler, checks []Check) error {
	cfg = cfg.withServerDefaults()
	var stopping atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		status, body := readiness(r.Context(), stopping.Load(), checks)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	})
	mux.Handle("/", h)

	srv := &http.Server{
		Handler:           noSniff(GuardBodies(cfg, mux)),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String())

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stopping.Store(true)
	log.Info("shutting down: draining in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// noSniff tells browsers to take every answer as the type it declares:
// a JSON answer echoing a client's input must never be run as a script or
// style because it looks like one.
func noSniff(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

type readinessBody struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

func readiness(ctx context.Context, stopping bool, checks []Check) (int, readinessBody) {
	if stopping {
		return http.StatusServiceUnavailable, readinessBody{Status: "stopping"}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	body := readinessBody{Status: "ready", Checks: map[string]string{}}
	status := http.StatusOK
	for _, c := range checks {
		if err := c.Check(ctx); err != nil {
			body.Checks[c.Name] = err.Error()
			body.Status = "not ready"
			status = http.StatusServiceUnavailable
			continue
		}
		body.Checks[c.Name] = "ok"
	}
	return status, body
}
