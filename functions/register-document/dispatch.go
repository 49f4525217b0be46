package main

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// dispatchJSON is an answer recorded under an entry's own number.
type dispatchJSON struct {
	ID           uuid.UUID  `json:"id"`
	DispatchedAt time.Time  `json:"dispatchedAt"`
	Recipient    string     `json:"recipient"`
	Subject      string     `json:"subject"`
	RegisteredBy *uuid.UUID `json:"registeredBy"`
}

// dispatch records an answer under the number of the entry it answers
// (the practice same_number): no number is taken, so nothing waits on a
// register's counter. Its documents join the answered entry's; the
// registered event names the answered entry, its number and year, with
// the dispatch's id, so that whoever asked for the answer's registration
// (a request) learns the number it was given.
func (s *server) dispatch(ctx context.Context, scope db.Scope, answered uuid.UUID, e registry.Entry, files []attachment,
	by actor, received *receivedRef, reference string, first func(tx pgx.Tx) (bool, error)) (int64, bool, error) {
	var event int64
	applied := false
	err := db.ScopedTx(ctx, s.pool, scope, func(tx pgx.Tx) error {
		if ok, err := first(tx); err != nil || !ok {
			return err
		}
		d, entry, err := registry.RecordDispatch(ctx, tx, registry.Dispatch{Institution: e.Institution, Entry: answered,
			Recipient: e.Recipient, Subject: e.Subject, RegisteredBy: by.id, Reference: reference})
		if err != nil {
			return err
		}
		reg, err := registry.GetRegister(ctx, tx, e.Institution, entry.Register)
		if err != nil {
			return err
		}
		var docs []documents.Filed
		for _, a := range files {
			doc, err := documents.Create(ctx, tx, documents.Document{Institution: e.Institution, Entry: entry.ID, Title: a.title, CreatedBy: by.id})
			if err != nil {
				return err
			}
			v, err := documents.Attach(ctx, tx, doc.ID, a.file, by.id)
			if err != nil {
				return err
			}
			docs = append(docs, documents.Filed{Document: doc, Versions: []documents.Version{v}})
		}
		if err := s.audit(ctx, tx, by, e.Institution, "registry.dispatch", "registry_entry", entry.ID, nil,
			map[string]any{"dispatchId": d.ID, "recipient": d.Recipient, "subject": d.Subject, "documents": len(docs)}, ""); err != nil {
			return err
		}
		data := registeredData{EntryID: entry.ID, RegisterID: reg.ID, RegisterCode: reg.Code, Year: entry.Year, Number: entry.Number,
			RegisteredAt: d.DispatchedAt, Direction: "outgoing", Channel: e.Channel, Subject: d.Subject,
			Confidentiality: entry.Confidentiality, VerificationCode: entry.VerificationCode, PartyAccountID: idOrNull(entry.Party),
			Reference: reference, DispatchID: &d.ID, Documents: []registeredDocument{}}
		if received != nil {
			data.ReceivedEventID, data.ReceivedEventSource = &received.id, &received.source
		}
		for _, doc := range docs {
			v := doc.Versions[0]
			data.Documents = append(data.Documents, registeredDocument{DocumentID: doc.ID, Title: doc.Title, SHA256: v.SHA256, Size: v.Size, MediaType: v.MediaType})
		}
		if event, err = s.emit(ctx, tx, events.TypeDocumentRegistered, e.Institution, data); err != nil {
			return err
		}
		applied = true
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("dispatch on %s: %w", answered, err)
	}
	return event, applied, nil
}
