package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/roles"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

// ExtActor is the extension attribute naming the machine account that sends
// a ro.ghiseu.role.assignment.requested. Until the ingest function
// authenticates institutions' systems and sets it, the sender names itself.
const ExtActor = "actorid"

// consumer is this function's name in the inbox.
const consumer = "assign-role"

// requestedData is the data of ro.ghiseu.role.assignment.requested.
type requestedData struct {
	assignRequest
	Action       string `json:"action"`
	AssignmentID string `json:"assignmentId"`
}

// request reads d as a request in institution. The event's schema has
// already checked its form, so what is malformed here is refused whole.
func (d requestedData) request(institution uuid.UUID) (roles.Request, error) {
	req, errs := d.assignRequest.request(institution)
	if len(errs) > 0 {
		return roles.Request{}, fmt.Errorf("field %s: %s", errs[0].Field, errs[0].MessageEn)
	}
	switch roles.Action(d.Action) {
	case roles.ActionAssign:
		return req, nil
	case roles.ActionRevoke:
		id, err := uuid.Parse(d.AssignmentID)
		if err != nil {
			return roles.Request{}, errors.New("field assignmentId: not a UUID")
		}
		return roles.Request{Action: roles.ActionRevoke, Institution: institution, Assignment: id,
			Account: req.Account, Role: req.Role, Reason: req.Reason}, nil
	}
	return roles.Request{}, fmt.Errorf("field action: %q is neither assign nor revoke", d.Action)
}

// handleEvent applies a role request sent by an institution's system,
// exactly as the API would for that system's account. A request applied
// before (a redelivery) does nothing. A refused one is answered with
// ro.ghiseu.role.assignment.refused, so its sender learns why, and as a
// permanent failure, so the Broker does not retry it (and dead-letters it).
func (s *server) handleEvent(ctx context.Context, e cloudevents.Event) (*cloudevents.Event, error) {
	if e.Type() != events.TypeRoleAssignmentRequested {
		return nil, runtime.Permanent(fmt.Errorf("assign-role does not handle %s events", e.Type()))
	}
	inst := events.Institution(e)
	if inst == uuid.Nil {
		// Nobody to tell of a refusal, either.
		return nil, runtime.Permanent(fmt.Errorf("no %s extension", events.ExtInstitution))
	}
	var data requestedData
	if err := json.Unmarshal(e.Data(), &data); err != nil {
		return nil, runtime.Permanent(fmt.Errorf("data: %w", err))
	}
	req, err := data.request(inst)
	if err != nil {
		return nil, runtime.Permanent(err)
	}
	actorID, _ := e.Extensions()[ExtActor].(string)
	actor, err := uuid.Parse(actorID)
	if err != nil {
		return nil, s.refuse(ctx, e, inst, roles.ErrActorNotAllowed)
	}

	var res result
	applied := false
	// Scoped to the institution, acting for the sender: row-level security
	// shows exactly what an API call of that account would see.
	err = db.ScopedTx(ctx, s.pool, db.Scope{Institution: inst, Account: actor}, func(tx pgx.Tx) error {
		first, err := events.FirstDelivery(ctx, tx, consumer, e.Source(), e.ID())
		if err != nil || !first {
			return err
		}
		grantor, err := roles.LoadActor(ctx, tx, inst, actor)
		if err != nil {
			return err
		}
		if res, err = s.apply(ctx, tx, grantor, "", req); err != nil {
			return err
		}
		applied = true
		return nil
	})
	// A refusal rolls the inbox row back with the rest: the request had no
	// effect, so a replay once its cause is fixed is judged afresh.
	var refusal *roles.Refusal
	if errors.As(err, &refusal) {
		return nil, s.refuse(ctx, e, inst, refusal)
	}
	if err != nil {
		return nil, fmt.Errorf("%s request %s: %w", req.Action, e.ID(), err)
	}
	if applied {
		s.outbox.Publish(ctx, res.event)
	}
	return nil, nil
}

// refusedData is the data of ro.ghiseu.role.assignment.refused.
type refusedData struct {
	RequestID     string          `json:"requestId"`
	RequestSource string          `json:"requestSource"`
	Request       json.RawMessage `json:"request"`
	Code          string          `json:"code"`
	Reason        string          `json:"reason"`
}

// refuse announces that request e was refused and returns the permanent
// error to answer it with. If the announcement cannot be written, the
// error is not permanent: the Broker retries and the request is judged
// again.
func (s *server) refuse(ctx context.Context, e cloudevents.Event, inst uuid.UUID, r *roles.Refusal) error {
	ev, err := s.outbox.Catalogue().New(events.TypeRoleAssignmentRefused, Source, inst, refusedData{
		RequestID: e.ID(), RequestSource: e.Source(), Request: e.Data(), Code: r.Code, Reason: r.MessageEn})
	if err != nil {
		return fmt.Errorf("announce refusal of %s: %w", e.ID(), err)
	}
	var id int64
	err = db.TenantTx(ctx, s.pool, inst, func(tx pgx.Tx) (err error) {
		id, err = s.outbox.Add(ctx, tx, ev)
		return err
	})
	if err != nil {
		return fmt.Errorf("announce refusal of %s: %w", e.ID(), err)
	}
	s.outbox.Publish(ctx, id)
	return runtime.Permanent(r)
}
