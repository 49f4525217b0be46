package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/registry"
	"github.com/ghiseu/ghiseu/shared/roles"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

// ExtActor is the extension attribute naming the machine account that sent
// a ro.ghiseu.document.received (an institution's system). Events without
// it come from the platform's own functions (submit-request), which have
// authorized their caller themselves; only the cluster reaches the Broker.
const ExtActor = "actorid"

// consumer is this function's name in the inbox.
const consumer = "register-document"

// receivedData is the data of ro.ghiseu.document.received.
type receivedData struct {
	entryInput
	RegisterCode   string `json:"registerCode"`
	PartyAccountID string `json:"partyAccountId"`
	Reference      string `json:"reference"`
	// SameNumber: record the answer under the number of the entry it
	// answers (registry.AnswerSameNumber).
	SameNumber bool `json:"sameNumber"`
	Documents  []struct {
		Title  string `json:"title"`
		SHA256 string `json:"sha256"`
		Name   string `json:"name"`
	} `json:"documents"`
}

// handleEvent registers a document received through another channel. A
// redelivered event does nothing the second time. An event that can never
// be registered (no such register, a file that is not stored, refused
// metadata) is a permanent failure: the Broker does not retry it and
// dead-letters it, where an operator sees why.
func (s *server) handleEvent(ctx context.Context, e cloudevents.Event) (*cloudevents.Event, error) {
	if e.Type() != events.TypeDocumentReceived {
		return nil, runtime.Permanent(fmt.Errorf("register-document does not handle %s events", e.Type()))
	}
	inst := events.Institution(e)
	if inst == uuid.Nil {
		return nil, runtime.Permanent(fmt.Errorf("no %s extension", events.ExtInstitution))
	}
	var data receivedData
	if err := json.Unmarshal(e.Data(), &data); err != nil {
		return nil, runtime.Permanent(fmt.Errorf("data: %w", err))
	}
	by := actor{kind: audit.ActorSystem}
	scope := db.Scope{Institution: inst}
	var principal *access.Principal
	if v, ok := e.Extensions()[ExtActor].(string); ok {
		id, err := uuid.Parse(v)
		if err != nil {
			return nil, runtime.Permanent(fmt.Errorf("extension %s: not a UUID", ExtActor))
		}
		by, scope.Account = actor{id: id, kind: audit.ActorMachine}, id
	}

	var register registry.Register
	err := db.ScopedTx(ctx, s.pool, scope, func(tx pgx.Tx) error {
		if scope.Account != uuid.Nil {
			var err error
			if principal, err = roles.LoadActor(ctx, tx, inst, scope.Account); err != nil {
				return err
			}
		}
		regs, err := registry.ListRegisters(ctx, tx, inst)
		if err != nil {
			return err
		}
		wanted, _ := uuid.Parse(data.RegisterID)
		for _, r := range regs {
			if r.ID == wanted || (data.RegisterID == "" && r.Code == data.RegisterCode) {
				register = r
				return nil
			}
		}
		return registry.ErrNoRegister
	})
	if errors.Is(err, roles.ErrActorNotAllowed) || errors.Is(err, registry.ErrNoRegister) {
		return nil, runtime.Permanent(err)
	}
	if err != nil {
		return nil, fmt.Errorf("document received %s: %w", e.ID(), err)
	}
	if principal != nil && (!principal.Can("registry.register", inst) ||
		!register.MayRegister(func(d uuid.UUID) bool { return principal.CanInDepartment("registry.register", inst, d) })) {
		return nil, runtime.Permanent(fmt.Errorf("account %s may not register in register %s", principal.Account, register.Code))
	}
	if register.ClosedAt != nil {
		return nil, runtime.Permanent(registry.ErrRegisterClosed)
	}

	data.entryInput.Documents = nil
	entry, errs := data.entry(inst, register)
	if len(errs) > 0 {
		return nil, runtime.Permanent(fmt.Errorf("field %s: %s", errs[0].Field, errs[0].MessageEn))
	}
	if entry.Party, err = uuid.Parse(data.PartyAccountID); data.PartyAccountID != "" && err != nil {
		return nil, runtime.Permanent(errors.New("field partyAccountId: not a UUID"))
	}
	entry.RegisteredBy = by.id
	by.onBehalf = entry.Party

	var files []attachment
	for i, d := range data.Documents {
		up, err := s.docs.Stored(ctx, inst, d.SHA256, d.Name)
		switch {
		case errors.Is(err, documents.ErrNotStored), errors.Is(err, documents.ErrForbiddenType), errors.Is(err, documents.ErrBadName),
			errors.Is(err, documents.ErrEmpty), errors.Is(err, documents.ErrTooLarge):
			return nil, runtime.Permanent(fmt.Errorf("documents[%d]: %w", i, err))
		case err != nil:
			return nil, fmt.Errorf("document received %s: %w", e.ID(), err)
		}
		files = append(files, attachment{title: d.Title, file: up})
	}
	entry.Attachments = max(entry.Attachments, len(files))

	firstDelivery := func(tx pgx.Tx) (bool, error) {
		return events.FirstDelivery(ctx, tx, consumer, e.Source(), e.ID())
	}
	var out registered
	var applied bool
	if data.SameNumber {
		if entry.AnswersEntry == uuid.Nil {
			return nil, runtime.Permanent(errors.New("field sameNumber: an answer on the same number names answersEntryId"))
		}
		out.event, applied, err = s.dispatch(ctx, scope, entry.AnswersEntry, entry, files, by,
			&receivedRef{id: e.ID(), source: e.Source()}, data.Reference, firstDelivery)
	} else {
		reg := registration{entry: entry, files: files, by: by, received: &receivedRef{id: e.ID(), source: e.Source()},
			reference: data.Reference}
		out, applied, err = s.registerRetrying(ctx, scope, reg, register, firstDelivery, nil)
	}
	switch {
	case errors.Is(err, registry.ErrNotFound), errors.Is(err, registry.ErrAlreadyAnnulled):
		return nil, runtime.Permanent(err)
	case errors.Is(err, registry.ErrNoFile), errors.Is(err, registry.ErrFileClosed), errors.Is(err, registry.ErrFileYear),
		errors.Is(err, registry.ErrNoLinkedEntry), errors.Is(err, registry.ErrRegisterClosed), errors.Is(err, registry.ErrNoParty):
		return nil, runtime.Permanent(err)
	case err != nil:
		return nil, fmt.Errorf("document received %s: %w", e.ID(), err)
	}
	if applied {
		s.outbox.Publish(ctx, out.event)
	}
	return nil, nil
}
