package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// EventHandler handles one CloudEvent. It may return a reply event, which the
// Broker takes in as a new event. An error wrapped with Permanent means the
// event can never succeed (answered 422, not retried); any other error is
// answered 500 and the Broker retries.
type EventHandler interface {
	Handle(ctx context.Context, e cloudevents.Event) (*cloudevents.Event, error)
}

// EventHandlerFunc adapts a function to EventHandler.
type EventHandlerFunc func(ctx context.Context, e cloudevents.Event) (*cloudevents.Event, error)

// Handle calls f.
func (f EventHandlerFunc) Handle(ctx context.Context, e cloudevents.Event) (*cloudevents.Event, error) {
	return f(ctx, e)
}

// Validator checks an incoming event's data against its schema.
type Validator interface {
	Validate(e cloudevents.Event) error
}

// MaxEventBytes bounds an incoming event's body.
const MaxEventBytes = 1 << 20

// PermanentError marks a failure that retrying cannot fix.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err so that the event is answered 422 and not retried.
func Permanent(err error) error { return &PermanentError{Err: err} }

// EventsHTTPHandler turns an EventHandler into an http.Handler.
//
// The event is decoded inline with cehttp.NewEventFromHTTPRequest and the reply
// written here, rather than through client.NewHTTPReceiveHandler, whose shared
// unbuffered channel hangs under concurrent cancelled requests (sdk-go #1224,
// #1332).
func EventsHTTPHandler(log *slog.Logger, v Validator, h EventHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
				Detail: "CloudEvents are delivered with POST"})
			return
		}
		// Events carry references, never documents (those go to S3): a
		// larger body is hostile or a bug, and must not exhaust memory.
		r.Body = http.MaxBytesReader(w, r.Body, MaxEventBytes)
		e, err := cehttp.NewEventFromHTTPRequest(r)
		if err == nil {
			err = e.Validate()
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusRequestEntityTooLarge, Code: "event_too_large",
				Detail: fmt.Sprintf("a CloudEvent may be at most %d bytes", MaxEventBytes)})
			return
		}
		if err != nil {
			log.Warn("malformed event", "error", err.Error())
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusBadRequest, Code: "malformed_event",
				Title: "Malformed CloudEvent", Detail: err.Error()})
			return
		}
		elog := log.With("event_id", e.ID(), "event_type", e.Type(), "event_source", e.Source())
		if v != nil {
			if err := v.Validate(*e); err != nil {
				elog.Warn("event data does not match its schema", "error", err.Error())
				httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusUnprocessableEntity, Code: "invalid_event_data",
					Title: "Event data does not match its schema", Detail: err.Error()})
				return
			}
		}
		reply, err := h.Handle(r.Context(), *e)
		var perm *PermanentError
		switch {
		case errors.As(err, &perm):
			elog.Warn("event rejected", "error", err.Error())
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusUnprocessableEntity, Code: "event_rejected",
				Title: "Event rejected", Detail: perm.Err.Error()})
			return
		case err != nil:
			elog.Error("event failed; the broker will retry", "error", err.Error())
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "event_failed",
				Title: "Event handling failed", Detail: "temporary failure, retry"})
			return
		}
		elog.Debug("event handled")
		if reply == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		if err := writeReply(r.Context(), w, reply); err != nil {
			elog.Error("write reply", "error", err.Error())
		}
	})
}

func writeReply(ctx context.Context, w http.ResponseWriter, reply *cloudevents.Event) error {
	if err := reply.Validate(); err != nil {
		return fmt.Errorf("reply event: %w", err)
	}
	msg := binding.ToMessage(reply)
	return cehttp.WriteResponseWriter(ctx, msg, http.StatusOK, w)
}
