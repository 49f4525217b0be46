package runtime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2"
)

// RunJob handles the event a JobSink mounted, once, and its outcome is the
// exit code that makes Kubernetes retry the Job or not.
func TestRunJob(t *testing.T) {
	e := cloudevents.NewEvent()
	e.SetID("ping-1")
	e.SetSource("/apis/v1/namespaces/ghiseu/pingsources/nightly-backup-daily")
	e.SetType("dev.knative.sources.ping")
	if err := e.SetData(cloudevents.ApplicationJSON, map[string]string{"task": "nightly-backup"}); err != nil {
		t.Fatal(err)
	}
	// As the JobSink writes it: the event in structured JSON.
	event, err := e.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var handled []string
	handlers := map[string]EventHandlerFunc{
		"ok": func(_ context.Context, e cloudevents.Event) (*cloudevents.Event, error) {
			handled = append(handled, e.ID()+" "+string(e.Data()))
			return nil, nil
		},
		"transient": func(context.Context, cloudevents.Event) (*cloudevents.Event, error) {
			return nil, errors.New("database unreachable")
		},
		"permanent": func(context.Context, cloudevents.Event) (*cloudevents.Event, error) {
			return nil, Permanent(errors.New("not an event this function handles"))
		},
		"reply": func(_ context.Context, e cloudevents.Event) (*cloudevents.Event, error) { return &e, nil },
	}
	tests := []struct {
		name      string
		file      []byte // nil: no event file
		handler   string
		validator Validator
		wantCode  int
		wantErr   string
		handled   bool
	}{
		{name: "handled", file: event, handler: "ok", wantCode: ExitDone, handled: true},
		{name: "a reply is dropped", file: event, handler: "reply", wantCode: ExitDone},
		{name: "a transient failure is retried", file: event, handler: "transient", wantCode: ExitFailed, wantErr: "database unreachable"},
		{name: "a permanent failure is not", file: event, handler: "permanent", wantCode: ExitPermanent, wantErr: "not an event this function handles"},
		{name: "no event file yet", handler: "ok", wantCode: ExitFailed, wantErr: "job event"},
		{name: "not JSON", file: []byte(`{"id":`), handler: "ok", wantCode: ExitPermanent, wantErr: "job event"},
		{name: "not a CloudEvent", file: []byte(`{"id":"1"}`), handler: "ok", wantCode: ExitPermanent, wantErr: "job event"},
		{name: "data against its schema", file: event, handler: "ok", validator: rejectAll{}, wantCode: ExitPermanent, wantErr: "field x: required"},
		{name: "too large", file: append(event[:len(event)-1:len(event)-1], []byte(`,"x":"`+strings.Repeat("a", MaxEventBytes)+`"}`)...),
			handler: "ok", wantCode: ExitPermanent, wantErr: "bytes, at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handled = nil
			dir := t.TempDir()
			if tt.file != nil {
				if err := os.WriteFile(filepath.Join(dir, JobEventFile), tt.file, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := RunJob(context.Background(), quietLogger(), dir, Job{Validator: tt.validator, Handler: handlers[tt.handler]})
			if code := JobExitCode(err); code != tt.wantCode {
				t.Errorf("exit code %d (error %v), want %d", code, err, tt.wantCode)
			}
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want one saying %q", err, tt.wantErr)
			}
			if want := []string{`ping-1 {"task":"nightly-backup"}`}; tt.handled && (len(handled) != 1 || handled[0] != want[0]) {
				t.Errorf("handled %q, want %q", handled, want)
			}
			if !tt.handled && tt.handler == "ok" && len(handled) != 0 {
				t.Errorf("handled %q, want nothing", handled)
			}
		})
	}
}
