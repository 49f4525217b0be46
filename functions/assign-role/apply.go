package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/roles"
)

// result is a change made: the assignment as it now is, and the outbox row
// of its event, to publish once the transaction has committed.
type result struct {
	assignment roles.Assignment
	event      int64
}

// changeData is the data of ro.ghiseu.role.assigned and ro.ghiseu.role.revoked.
type changeData struct {
	AssignmentID  uuid.UUID  `json:"assignmentId"`
	InstitutionID uuid.UUID  `json:"institutionId"`
	AccountID     uuid.UUID  `json:"accountId"`
	Role          string     `json:"role"`
	DepartmentID  *uuid.UUID `json:"departmentId"`
	ValidFrom     string     `json:"validFrom"`
	ValidUntil    *string    `json:"validUntil"`
	By            uuid.UUID  `json:"by"`
	Reason        string     `json:"reason"`
}

// apply judges req by grantor with roles.Check and, if the rules allow it,
// makes the change, audits it and writes its event, all in tx. Requests
// from the API and from events both come through here, so both are judged
// and recorded alike. A refusal is a *roles.Refusal.
func (s *server) apply(ctx context.Context, tx pgx.Tx, grantor *access.Principal, ip string, req roles.Request) (result, error) {
	checked, err := roles.Check(ctx, tx, grantor, req)
	if err != nil {
		return result{}, err
	}
	var changed roles.Assignment
	entry := audit.Entry{Institution: req.Institution, ActorID: grantor.Account, ActorKind: grantor.Kind.AuditActor(),
		ObjectType: "role_assignment", IP: ip}
	eventType := events.TypeRoleAssigned
	data := changeData{By: grantor.Account}
	switch req.Action {
	case roles.ActionAssign:
		if changed, err = roles.Assign(ctx, tx, checked); err != nil {
			return result{}, err
		}
		entry.Action, entry.New, entry.Reason = "role.assign", view(changed), changed.Reason
		data.Reason = changed.Reason
	case roles.ActionRevoke:
		if changed, err = roles.Revoke(ctx, tx, req.Institution, checked.ID, grantor.Account, strings.TrimSpace(req.Reason)); err != nil {
			return result{}, err
		}
		entry.Action, entry.Old, entry.New, entry.Reason = "role.revoke", view(checked), view(changed), changed.RevokeReason
		eventType, data.Reason = events.TypeRoleRevoked, changed.RevokeReason
	}
	entry.ObjectID = changed.ID.String()
	if _, err := audit.Append(ctx, tx, entry); err != nil {
		return result{}, err
	}
	data.AssignmentID, data.InstitutionID, data.AccountID, data.Role = changed.ID, changed.Institution, changed.Account, changed.Role
	data.DepartmentID, data.ValidFrom, data.ValidUntil = ptr(changed.Department), formatDate(changed.ValidFrom), dateOrNull(changed.ValidUntil)
	e, err := s.outbox.Catalogue().New(eventType, Source, changed.Institution, data)
	if err != nil {
		return result{}, fmt.Errorf("%s event: %w", req.Action, err)
	}
	id, err := s.outbox.Add(ctx, tx, e)
	if err != nil {
		return result{}, err
	}
	return result{assignment: changed, event: id}, nil
}
