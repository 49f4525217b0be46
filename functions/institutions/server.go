package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/links"
)

// Source is this function's CloudEvents source.
const Source = "/ghiseu/functions/institutions"

type server struct {
	pool   *pgxpool.Pool
	outbox *events.Outbox
	links  links.Mailer
	log    *slog.Logger
}

func (s *server) routes(r *access.Router) {
	in := access.PathInstitution("institution")
	for _, rt := range []access.Route{
		{Pattern: "GET /api/institutions", Rule: access.Public(), Handler: s.listInstitutions},
		{Pattern: "GET /api/institutions/{institution}", Rule: access.Public(), Handler: s.getInstitution},
		{Pattern: "PATCH /api/institutions/{institution}", Rule: access.Permission("institutions.manage", in), Handler: s.updateInstitution},
		{Pattern: "POST /api/institutions/{institution}/institutions", Rule: access.Permission("institutions.manage", in), Handler: s.createInstitution},
		{Pattern: "POST /api/institutions/{institution}/departments", Rule: access.Permission("departments.manage", in), Handler: s.createDepartment},
		{Pattern: "GET /api/institutions/{institution}/departments/{department}", Rule: access.Public(), Handler: s.getDepartment},
		{Pattern: "PATCH /api/institutions/{institution}/departments/{department}", Rule: access.Permission("departments.manage", in), Handler: s.updateDepartment},
		{Pattern: "DELETE /api/institutions/{institution}/departments/{department}", Rule: access.Permission("departments.manage", in), Handler: s.deleteDepartment},
		{Pattern: "GET /api/institutions/{institution}/staff", Rule: access.Permission("users.read", in), Handler: s.listStaff},
		{Pattern: "POST /api/institutions/{institution}/staff", Rule: access.Permission("users.manage", in), Handler: s.createStaff},
		// Seeing machine clients is users.read, as the permission catalogue
		// says; changing them is machineclients.manage.
		{Pattern: "GET /api/institutions/{institution}/machine-clients", Rule: access.Permission("users.read", in), Handler: s.listMachineClients},
		{Pattern: "POST /api/institutions/{institution}/machine-clients", Rule: access.Permission("machineclients.manage", in), Handler: s.createMachineClient},
		{Pattern: "POST /api/institutions/{institution}/machine-clients/{client}/rotate", Rule: access.Permission("machineclients.manage", in), Handler: s.rotateMachineClient},
		{Pattern: "DELETE /api/institutions/{institution}/machine-clients/{client}", Rule: access.Permission("machineclients.manage", in), Handler: s.closeMachineClient},
	} {
		r.Handle(rt)
	}
}

// invalid is input refused per field, found where only the database can
// tell (inside a transaction); refuse answers it 422.
type invalid []httpapi.FieldError

func (invalid) Error() string { return "invalid input" }

// errStale: If-Match names a version that is no longer current.
var errStale = errors.New("stale")

// refuse answers the refusals of package institutions and of this
// function; anything else is our failure.
func (s *server) refuse(w http.ResponseWriter, what string, err error) {
	var fields invalid
	switch {
	case errors.As(err, &fields):
		httpapi.Invalid(w, fields)
	case errors.Is(err, errStale):
		httpapi.PreconditionFailed(w)
	case errors.Is(err, institutions.ErrNotFound):
		httpapi.NotFound(w)
	case errors.Is(err, institutions.ErrParentNotFound):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("parentId", "parentId.not_found",
			"Compartimentul părinte nu există în această instituție.", "The parent department does not exist in this institution.")})
	case errors.Is(err, institutions.ErrCycle):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("parentId", "parentId.cycle",
			"Un compartiment nu poate fi mutat sub el însuși sau sub unul dintre subcompartimentele sale.",
			"A department cannot be moved under itself or one of its own sub-departments.")})
	case errors.Is(err, institutions.ErrCodeTaken):
		httpapi.Conflict(w, "code_taken", err.Error())
	case errors.Is(err, institutions.ErrHasChildren):
		httpapi.Conflict(w, "department_has_children", err.Error())
	case errors.Is(err, institutions.ErrHasRoles):
		httpapi.Conflict(w, "department_has_roles", err.Error())
	case errors.Is(err, institutions.ErrInUse):
		httpapi.Conflict(w, "department_in_use", err.Error())
	case errors.Is(err, institutions.ErrEmailTaken):
		httpapi.Conflict(w, "email_taken", err.Error())
	case errors.Is(err, institutions.ErrClosed):
		httpapi.Conflict(w, "machine_client_closed", err.Error())
	default:
		s.log.Error(what, "error", err.Error())
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal",
			Detail: "something went wrong on our side; try again"})
	}
}

// etag is the version of a row as an entity tag: its updated_at, which
// every change moves forward.
func etag(updated time.Time) string {
	return `"` + strconv.FormatInt(updated.UnixMicro(), 10) + `"`
}

// pageFrom reads the keyset pagination parameters.
func pageFrom(q url.Values) (institutions.Page, []httpapi.FieldError) {
	var p institutions.Page
	var errs []httpapi.FieldError
	if v := q.Get("after"); v != "" {
		c, err := institutions.ParseCursor(v)
		if err != nil {
			errs = append(errs, httpapi.Field("after", "after.invalid", "Cursorul paginii nu este valid.", "The page cursor is not valid."))
		}
		p.After = &c
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > institutions.MaxLimit {
			errs = append(errs, httpapi.Field("limit", "limit.invalid",
				"Mărimea paginii trebuie să fie între 1 și "+strconv.Itoa(institutions.MaxLimit)+".",
				"The page size must be from 1 to "+strconv.Itoa(institutions.MaxLimit)+"."))
		}
		p.Limit = n
	}
	return p, errs
}

// cursor is a next cursor as the API shows it: null on the last page.
func cursor(c *institutions.Cursor) *string {
	if c == nil {
		return nil
	}
	s := c.String()
	return &s
}

// audit records the caller's act in the institution's chain, in tx.
func (s *server) audit(ctx context.Context, tx pgx.Tx, r *http.Request, institution uuid.UUID, action, objectType string,
	object uuid.UUID, before, after any) error {
	p := access.FromContext(ctx)
	_, err := audit.Append(ctx, tx, audit.Entry{Institution: institution, ActorID: p.Account, ActorKind: p.Kind.AuditActor(),
		Action: action, ObjectType: objectType, ObjectID: object.String(), IP: access.ClientIP(r), Old: before, New: after})
	return err
}

// emit writes an event of the institution in tx and returns its outbox row,
// to publish after commit.
func (s *server) emit(ctx context.Context, tx pgx.Tx, eventType string, institution uuid.UUID, data any) (int64, error) {
	e, err := s.outbox.Catalogue().New(eventType, Source, institution, data)
	if err != nil {
		return 0, err
	}
	return s.outbox.Add(ctx, tx, e)
}

// created answers a creating request: 201 for a new row, 200 for a repeat
// of the request that made it.
func created(w http.ResponseWriter, result institutions.Result, v any) {
	status := http.StatusOK
	if result == institutions.Created {
		status = http.StatusCreated
	}
	httpapi.WriteJSON(w, status, v)
}
