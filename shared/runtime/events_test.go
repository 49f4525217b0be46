package runtime

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

type rejectAll struct{}

func (rejectAll) Validate(cloudevents.Event) error { return errors.New("field x: required") }

func TestEventsHTTPHandler(t *testing.T) {
	reply := cloudevents.NewEvent()
	reply.SetID("r1")
	reply.SetSource("/test")
	reply.SetType("ro.ghiseu.test.replied")

	handlers := map[string]EventHandlerFunc{
		"ok": func(context.Context, cloudevents.Event) (*cloudevents.Event, error) { return nil, nil },
		"permanent": func(context.Context, cloudevents.Event) (*cloudevents.Event, error) {
			return nil, Permanent(errors.New("no such register"))
		},
		"transient": func(context.Context, cloudevents.Event) (*cloudevents.Event, error) {
			return nil, errors.New("db down")
		},
		"reply": func(context.Context, cloudevents.Event) (*cloudevents.Event, error) { return &reply, nil },
	}
	valid := map[string]string{"Ce-Id": "1", "Ce-Source": "/s", "Ce-Type": "t", "Ce-Specversion": "1.0", "Content-Type": "application/json"}
	tests := []struct {
		name       string
		handler    string
		validator  Validator
		headers    map[string]string
		body       string
		wantStatus int
		wantInBody string
	}{
		{name: "handled", handler: "ok", headers: valid, body: `{}`, wantStatus: http.StatusAccepted},
		{name: "missing id", handler: "ok", headers: map[string]string{"Ce-Source": "/s", "Ce-Type": "t", "Ce-Specversion": "1.0"}, wantStatus: http.StatusBadRequest, wantInBody: "malformed_event"},
		{name: "not an event", handler: "ok", headers: map[string]string{"Content-Type": "text/plain"}, body: "hello", wantStatus: http.StatusBadRequest, wantInBody: "malformed_event"},
		{name: "bad structured json", handler: "ok", headers: map[string]string{"Content-Type": "application/cloudevents+json"}, body: `{"id":`, wantStatus: http.StatusBadRequest},
		{name: "schema violation", handler: "ok", validator: rejectAll{}, headers: valid, body: `{}`, wantStatus: http.StatusUnprocessableEntity, wantInBody: "field x"},
		{name: "permanent failure", handler: "permanent", headers: valid, body: `{}`, wantStatus: http.StatusUnprocessableEntity, wantInBody: "no such register"},
		{name: "transient failure", handler: "transient", headers: valid, body: `{}`, wantStatus: http.StatusInternalServerError},
		{name: "reply", handler: "reply", headers: valid, body: `{}`, wantStatus: http.StatusOK},
		{name: "oversized", handler: "ok", headers: valid, body: `{"x":"` + strings.Repeat("a", MaxEventBytes) + `"}`,
			wantStatus: http.StatusRequestEntityTooLarge, wantInBody: "event_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := EventsHTTPHandler(quietLogger(), tt.validator, handlers[tt.handler])
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if tt.wantStatus >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("content type = %q, want application/problem+json", rec.Header().Get("Content-Type"))
			}
			if !strings.Contains(rec.Body.String(), tt.wantInBody) {
				t.Errorf("body %s does not mention %q", rec.Body, tt.wantInBody)
			}
			if tt.handler == "reply" {
				got, err := cehttp.NewEventFromHTTPResponse(rec.Result())
				if err != nil || got.ID() != "r1" || got.Type() != "ro.ghiseu.test.replied" {
					t.Fatalf("reply event = %v, %v", got, err)
				}
			}
		})
	}
}
