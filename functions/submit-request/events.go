package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

// consumer is this function's name in the inbox.
const consumer = "submit-request"

// registeredData is what submit-request reads of ro.ghiseu.document.registered.
type registeredData struct {
	EntryID          uuid.UUID `json:"entryId"`
	RegisterCode     string    `json:"registerCode"`
	Year             int       `json:"year"`
	Number           int64     `json:"number"`
	RegisteredAt     time.Time `json:"registeredAt"`
	VerificationCode string    `json:"verificationCode"`
	Reference        string    `json:"reference"`
	Documents        []struct {
		DocumentID uuid.UUID `json:"documentId"`
		SHA256     string    `json:"sha256"`
	} `json:"documents"`
}

// handleEvent gives a request its registration when the registry answers.
// Registrations of other documents are none of its business and are
// acknowledged; a redelivered event does nothing the second time.
func (s *server) handleEvent(ctx context.Context, e cloudevents.Event) (*cloudevents.Event, error) {
	if e.Type() != events.TypeDocumentRegistered {
		return nil, runtime.Permanent(fmt.Errorf("submit-request does not handle %s events", e.Type()))
	}
	var data registeredData
	if err := json.Unmarshal(e.Data(), &data); err != nil {
		return nil, runtime.Permanent(fmt.Errorf("data: %w", err))
	}
	id, answer, ok := requests.ParseReference(data.Reference)
	if !ok {
		return nil, nil
	}
	inst := events.Institution(e)
	if inst == uuid.Nil {
		return nil, runtime.Permanent(fmt.Errorf("no %s extension", events.ExtInstitution))
	}
	reg := requests.Registration{Entry: data.EntryID, RegisterCode: data.RegisterCode, Number: data.Number, Year: data.Year,
		RegisteredAt: data.RegisteredAt, VerificationCode: data.VerificationCode, Documents: map[string]uuid.UUID{}}
	for _, d := range data.Documents {
		reg.Documents[d.SHA256] = d.DocumentID
	}
	var ids []int64
	err := db.ScopedTx(ctx, s.pool, db.Scope{Institution: inst}, func(tx pgx.Tx) error {
		first, err := events.FirstDelivery(ctx, tx, consumer, e.Source(), e.ID())
		if err != nil || !first {
			return err
		}
		if answer {
			req, c, err := requests.RegisterAnswer(ctx, tx, inst, id, reg)
			if err != nil {
				return err
			}
			ids, err = s.record(ctx, tx, nil, req, c, "request.answer_registered")
			return err
		}
		req, changes, err := requests.Register(ctx, tx, inst, id, reg)
		if err != nil {
			return err
		}
		for _, c := range changes {
			more, err := s.record(ctx, tx, nil, req, c, "request."+c.Action)
			if err != nil {
				return err
			}
			ids = append(ids, more...)
		}
		return nil
	})
	switch {
	case errors.Is(err, requests.ErrAlreadyRegistered):
		// Registered by an earlier delivery under another event id (a
		// re-sent document.received): nothing more to do.
		return nil, nil
	case errors.Is(err, requests.ErrNotFound):
		return nil, runtime.Permanent(fmt.Errorf("registration %s names request %s, which does not exist", e.ID(), id))
	case err != nil:
		return nil, fmt.Errorf("registration %s of request %s: %w", e.ID(), id, err)
	}
	s.outbox.Publish(ctx, ids...)
	return nil, nil
}
