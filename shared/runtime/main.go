package runtime

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"knative.dev/pkg/signals"

	"github.com/ghiseu/ghiseu/shared/config"
)

// Spec is a function's configuration struct; embedding Config provides it.
type Spec interface {
	Runtime() Config
}

// Runtime returns c; through embedding it makes every function's config a Spec.
func (c Config) Runtime() Config { return c }

// Function is what a function's main builds once its config is loaded.
type Function struct {
	Handler http.Handler
	Checks  []Check
	// Stop releases what the function holds (pools, clients) after the
	// server has drained.
	Stop func()
	// Job, when set, is what the function does when a JobSink runs it for
	// an event (K_EVENT_PATH is set): handle that event and exit.
	Job *Job
}

// Main is the whole of a function's main: load spec from the environment,
// build the function, serve it until SIGTERM or SIGINT, drain, stop. A
// missing or malformed variable ends the process at once with a message
// naming it. Run by a JobSink (K_EVENT_PATH set), it handles the Job's
// event with fn.Job instead of serving, and exits with JobExitCode.
func Main(name string, spec Spec, build func(ctx context.Context, log *slog.Logger) (Function, error)) {
	if err := config.Load(spec); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(2)
	}
	cfg := spec.Runtime()
	log, err := NewLogger(os.Stdout, cfg.LogLevel)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: config: LOG_LEVEL: %v\n", name, err)
		os.Exit(2)
	}
	log = log.With("function", name)
	ctx := signals.NewContext()
	fn, err := build(ctx, log)
	if err != nil {
		log.Error("start failed", "error", err.Error())
		os.Exit(1)
	}
	if cfg.EventPath != "" {
		code := ExitPermanent
		if fn.Job == nil {
			log.Error("run as a job (K_EVENT_PATH is set), but the function has no job")
		} else if err := RunJob(ctx, log, cfg.EventPath, *fn.Job); err != nil {
			code = JobExitCode(err)
			log.Error("job failed", "error", err.Error(), "retried", code == ExitFailed)
		} else {
			code = ExitDone
		}
		if fn.Stop != nil {
			fn.Stop()
		}
		os.Exit(code)
	}
	err = Serve(ctx, cfg, log, fn.Handler, fn.Checks...)
	if fn.Stop != nil {
		fn.Stop()
	}
	if err != nil {
		log.Error("stopped with error", "error", err.Error())
		os.Exit(1)
	}
}
