package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	cloudevents "github.com/cloudevents/sdk-go/v2"
)

// Job is how a function handles an event whose work may outlast an HTTP
// request (a backup of a large database): Knative's JobSink starts a
// Kubernetes Job for the event, with the event as a JSON file in the
// directory K_EVENT_PATH names, and Main handles it once and exits instead
// of serving.
type Job struct {
	Validator Validator
	Handler   EventHandler
}

// JobEventFile is the file in K_EVENT_PATH that holds the event, as the
// JobSink mounts it.
const JobEventFile = "event"

// Exit codes of a Job. The JobSink's podFailurePolicy fails the Job at once
// on ExitPermanent; ExitFailed is retried up to its backoffLimit.
const (
	ExitDone      = 0
	ExitFailed    = 1
	ExitPermanent = 3
)

// RunJob reads the event in dir/event, checks it as EventsHTTPHandler
// would, and handles it once. A malformed or invalid event is a permanent
// error; a reply event is logged and dropped, a Job has nowhere to send it.
func RunJob(ctx context.Context, log *slog.Logger, dir string, job Job) error {
	b, err := os.ReadFile(filepath.Join(dir, JobEventFile))
	if err != nil {
		return fmt.Errorf("job event: %w", err)
	}
	if len(b) > MaxEventBytes {
		return Permanent(fmt.Errorf("job event: %d bytes, at most %d", len(b), MaxEventBytes))
	}
	var e cloudevents.Event
	if err := e.UnmarshalJSON(b); err != nil {
		return Permanent(fmt.Errorf("job event: %w", err))
	}
	if err := e.Validate(); err != nil {
		return Permanent(fmt.Errorf("job event: %w", err))
	}
	elog := log.With("event_id", e.ID(), "event_type", e.Type(), "event_source", e.Source())
	if job.Validator != nil {
		if err := job.Validator.Validate(e); err != nil {
			return Permanent(fmt.Errorf("job event data: %w", err))
		}
	}
	elog.Info("job started")
	reply, err := job.Handler.Handle(ctx, e)
	if err != nil {
		return fmt.Errorf("job for event %s: %w", e.ID(), err)
	}
	if reply != nil {
		elog.Warn("a job's reply event is dropped", "reply_type", reply.Type())
	}
	elog.Info("job done")
	return nil
}

// JobExitCode is the exit code for RunJob's outcome.
func JobExitCode(err error) int {
	var perm *PermanentError
	switch {
	case err == nil:
		return ExitDone
	case errors.As(err, &perm):
		return ExitPermanent
	default:
		return ExitFailed
	}
}
