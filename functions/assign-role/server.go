package main

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/roles"
)

// Source is this function's CloudEvents source.
const Source = "/ghiseu/functions/assign-role"

type server struct {
	pool   *pgxpool.Pool
	outbox *events.Outbox
	log    *slog.Logger
}

const base = "/api/institutions/{institution}/role-assignments"

func (s *server) routes(r *access.Router) {
	assign := access.Permission(roles.PermAssign, access.PathInstitution("institution"))
	for _, rt := range []access.Route{
		{Pattern: "GET " + base, Rule: access.Permission("users.read", access.PathInstitution("institution")), Handler: s.list},
		{Pattern: "POST " + base, Rule: assign, Handler: s.assign},
		{Pattern: "DELETE " + base + "/{assignment}", Rule: assign, Handler: s.revoke},
	} {
		r.Handle(rt)
	}
}

// assignRequest is the body of POST: an assignment, as the requested event
// also spells it.
type assignRequest struct {
	AccountID    string  `json:"accountId"`
	Role         string  `json:"role"`
	DepartmentID *string `json:"departmentId"`
	ValidFrom    *string `json:"validFrom"`
	ValidUntil   *string `json:"validUntil"`
	Reason       string  `json:"reason"`
}

// request reads in as a request to assign in institution; what is
// malformed comes back per field. What is well formed but not allowed is
// for roles.Check to say.
func (in assignRequest) request(institution uuid.UUID) (roles.Request, []httpapi.FieldError) {
	req := roles.Request{Action: roles.ActionAssign, Institution: institution, Role: strings.TrimSpace(in.Role), Reason: in.Reason}
	var errs []httpapi.FieldError
	var err error
	if req.Account, err = uuid.Parse(in.AccountID); err != nil {
		errs = append(errs, httpapi.Field("accountId", "accountId.invalid", "Contul trebuie dat prin identificatorul său (UUID).",
			"The account must be given by its id (a UUID)."))
	}
	if req.Role == "" {
		errs = append(errs, httpapi.Field("role", "role.required", "Alegeți rolul.", "Choose the role."))
	}
	if in.DepartmentID != nil && *in.DepartmentID != "" {
		if req.Department, err = uuid.Parse(*in.DepartmentID); err != nil {
			errs = append(errs, httpapi.Field("departmentId", "departmentId.invalid", "Compartimentul trebuie dat prin identificatorul său (UUID).",
				"The department must be given by its id (a UUID)."))
		}
	}
	if in.ValidFrom != nil && *in.ValidFrom != "" {
		d, ok := parseDate(*in.ValidFrom)
		if !ok {
			errs = append(errs, dateError("validFrom"))
		}
		req.ValidFrom = d
	}
	if in.ValidUntil != nil && *in.ValidUntil != "" {
		d, ok := parseDate(*in.ValidUntil)
		if !ok {
			errs = append(errs, dateError("validUntil"))
		}
		req.ValidUntil = &d
	}
	return req, errs
}

// parseDate reads a calendar date (2025-03-01) as midnight UTC, as package
// roles holds dates.
func parseDate(s string) (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, s)
	return d, err == nil
}

func formatDate(d time.Time) string { return d.Format(time.DateOnly) }

func dateError(field string) httpapi.FieldError {
	return httpapi.Field(field, field+".invalid", "Data trebuie să fie de forma AAAA-LL-ZZ.", "The date must be YYYY-MM-DD.")
}

// assignmentView is a role assignment as the API shows it.
type assignmentView struct {
	ID            uuid.UUID  `json:"id"`
	InstitutionID uuid.UUID  `json:"institutionId"`
	AccountID     uuid.UUID  `json:"accountId"`
	Role          string     `json:"role"`
	DepartmentID  *uuid.UUID `json:"departmentId"`
	ValidFrom     string     `json:"validFrom"`
	ValidUntil    *string    `json:"validUntil"`
	GrantedBy     *uuid.UUID `json:"grantedBy"`
	Reason        string     `json:"reason"`
	CreatedAt     time.Time  `json:"createdAt"`
	RevokedAt     *time.Time `json:"revokedAt"`
	RevokedBy     *uuid.UUID `json:"revokedBy"`
	RevokeReason  *string    `json:"revokeReason"`
}

func view(a roles.Assignment) assignmentView {
	v := assignmentView{ID: a.ID, InstitutionID: a.Institution, AccountID: a.Account, Role: a.Role,
		DepartmentID: ptr(a.Department), ValidFrom: formatDate(a.ValidFrom), ValidUntil: dateOrNull(a.ValidUntil),
		GrantedBy: ptr(a.GrantedBy), Reason: a.Reason, CreatedAt: a.CreatedAt, RevokedAt: a.RevokedAt, RevokedBy: ptr(a.RevokedBy)}
	if a.Revoked() {
		v.RevokeReason = &a.RevokeReason
	}
	return v
}

func ptr(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func dateOrNull(d *time.Time) *string {
	if d == nil {
		return nil
	}
	s := formatDate(*d)
	return &s
}

func (s *server) assign(w http.ResponseWriter, r *http.Request) {
	var body assignRequest
	if !httpapi.DecodeJSON(w, r, &body) {
		return
	}
	req, errs := body.request(access.ScopeFromContext(r.Context()).Institution)
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	s.change(w, r, req, http.StatusCreated)
}

type revokeRequest struct {
	Reason string `json:"reason"`
}

func (s *server) revoke(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("assignment"))
	if err != nil {
		s.refused(w, roles.ErrAssignmentNotFound)
		return
	}
	var body revokeRequest
	if !httpapi.DecodeJSON(w, r, &body) {
		return
	}
	s.change(w, r, roles.Request{Action: roles.ActionRevoke, Institution: access.ScopeFromContext(r.Context()).Institution,
		Assignment: id, Reason: body.Reason}, http.StatusOK)
}

// change applies req for the caller and answers with the assignment as it
// now is.
func (s *server) change(w http.ResponseWriter, r *http.Request, req roles.Request, status int) {
	p := access.FromContext(r.Context())
	var res result
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) (err error) {
		res, err = s.apply(r.Context(), tx, p, access.ClientIP(r), req)
		return err
	})
	var refusal *roles.Refusal
	if errors.As(err, &refusal) {
		s.refused(w, refusal)
		return
	}
	if err != nil {
		s.fail(w, string(req.Action), err)
		return
	}
	s.outbox.Publish(r.Context(), res.event)
	httpapi.WriteJSON(w, status, view(res.assignment))
}

// refused answers a refusal by the rules: its code, and the status that
// says what kind of refusal it is.
func (s *server) refused(w http.ResponseWriter, r *roles.Refusal) {
	if r.Field != "" {
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field(r.Field, r.Code, r.Message, r.MessageEn)})
		return
	}
	status := http.StatusForbidden
	switch {
	case errors.Is(r, roles.ErrAccountNotFound), errors.Is(r, roles.ErrAssignmentNotFound):
		status = http.StatusNotFound
	case errors.Is(r, roles.ErrLastAdministrator), errors.Is(r, roles.ErrAlreadyRevoked):
		status = http.StatusConflict
	}
	httpapi.WriteProblem(w, httpapi.Problem{Status: status, Code: r.Code, Detail: r.MessageEn})
}

func (s *server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := roles.Filter{Institution: access.ScopeFromContext(r.Context()).Institution}
	var errs []httpapi.FieldError
	var err error
	if v := q.Get("account"); v != "" {
		if f.Account, err = uuid.Parse(v); err != nil {
			errs = append(errs, httpapi.Field("account", "account.invalid", "Contul trebuie dat prin identificatorul său (UUID).",
				"The account must be given by its id (a UUID)."))
		}
	}
	if v := q.Get("includeRevoked"); v != "" {
		if f.IncludeRevoked, err = strconv.ParseBool(v); err != nil {
			errs = append(errs, httpapi.Field("includeRevoked", "includeRevoked.invalid", "Valoarea poate fi true sau false.",
				"The value may be true or false."))
		}
	}
	if v := q.Get("after"); v != "" {
		if f.After, err = uuid.Parse(v); err != nil {
			errs = append(errs, httpapi.Field("after", "after.invalid", "Cursorul nu este valid.", "The cursor is not valid."))
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > roles.MaxLimit {
			errs = append(errs, httpapi.Field("limit", "limit.invalid", "Limita trebuie să fie între 1 și 200.",
				"The limit must be between 1 and 200."))
		}
	}
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	var page []roles.Assignment
	var next uuid.UUID
	err = access.Tx(r.Context(), s.pool, func(tx pgx.Tx) (err error) {
		page, next, err = roles.List(r.Context(), tx, f)
		return err
	})
	if err != nil {
		s.fail(w, "list", err)
		return
	}
	out := struct {
		Assignments []assignmentView `json:"assignments"`
		Next        *uuid.UUID       `json:"next"`
	}{Assignments: make([]assignmentView, 0, len(page)), Next: ptr(next)}
	for _, a := range page {
		out.Assignments = append(out.Assignments, view(a))
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

func (s *server) fail(w http.ResponseWriter, what string, err error) {
	s.log.Error(what, "error", err.Error())
	httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal",
		Detail: "something went wrong on our side; try again"})
}
