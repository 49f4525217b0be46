package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/filingplan"
	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// Source is this function's CloudEvents source.
const Source = "/ghiseu/functions/filing-plan"

type server struct {
	pool   *pgxpool.Pool
	outbox *events.Outbox
	log    *slog.Logger
}

func (s *server) routes(r *access.Router) {
	in := access.PathInstitution("institution")
	const plan = "/api/institutions/{institution}/filing-plan"
	for _, rt := range []access.Route{
		// Everyone who reads the registry reads the plan: a registrar files
		// entries into it, a clerk looks up where a document went.
		{Pattern: "GET " + plan, Rule: access.Permission("registry.read", in), Handler: s.list},
		{Pattern: "POST " + plan, Rule: access.Permission("registry.configure", in), Handler: s.create},
		{Pattern: "POST " + plan + "/copies", Rule: access.Permission("registry.configure", in), Handler: s.copyYear},
		{Pattern: "GET " + plan + "/{file}", Rule: access.Permission("registry.read", in), Handler: s.get},
		{Pattern: "PATCH " + plan + "/{file}", Rule: access.Permission("registry.configure", in), Handler: s.update},
		{Pattern: "POST " + plan + "/{file}/closure", Rule: access.Permission("registry.configure", in), Handler: s.closeFile},
		// An inventory lists the entries of a file: an export of the register.
		{Pattern: "GET " + plan + "/{file}/inventory", Rule: access.Permission("registry.export", in), Handler: s.inventory},
	} {
		r.Handle(rt)
	}
}

// errStale: If-Match names a version that is no longer current.
var errStale = errors.New("stale")

func departmentNotFound() httpapi.FieldError {
	return httpapi.Field("departmentId", "departmentId.not_found", "Compartimentul nu există în această instituție.",
		"The department does not exist in this institution.")
}

// refuse answers the refusals of package filingplan and of this function;
// anything else is our failure.
func (s *server) refuse(w http.ResponseWriter, what string, err error) {
	switch {
	case errors.Is(err, errStale), errors.Is(err, filingplan.ErrStale):
		httpapi.PreconditionFailed(w)
	case errors.Is(err, filingplan.ErrNotFound):
		httpapi.NotFound(w)
	case errors.Is(err, filingplan.ErrNoDepartment):
		httpapi.Invalid(w, []httpapi.FieldError{departmentNotFound()})
	case errors.Is(err, filingplan.ErrIndicatorTaken):
		httpapi.Conflict(w, "indicator_taken", "another file of the year has this indicator, with other data")
	case errors.Is(err, filingplan.ErrClosed):
		httpapi.Conflict(w, "file_closed", "the file is closed: it changes no more")
	case errors.Is(err, filingplan.ErrOpen):
		httpapi.Conflict(w, "file_open", "the file is still open: close it before exporting its inventory")
	default:
		s.log.Error(what, "error", err.Error())
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal",
			Detail: "something went wrong on our side; try again"})
	}
}

// etag is a file's version as an entity tag: its revision, which every
// change (an edit, the closure) moves on.
func etag(f filingplan.File) string {
	return `"` + strconv.Itoa(f.Revision) + `"`
}

// actor is the account the request acts as; the routes all need one.
func actor(ctx context.Context) uuid.UUID {
	if p := access.FromContext(ctx); p != nil {
		return p.Account
	}
	return uuid.Nil
}

// audit records the caller's act in the institution's chain, in tx.
func (s *server) audit(ctx context.Context, tx pgx.Tx, r *http.Request, institution uuid.UUID, action string,
	object uuid.UUID, before, after any, reason string) error {
	p := access.FromContext(ctx)
	_, err := audit.Append(ctx, tx, audit.Entry{Institution: institution, ActorID: p.Account, ActorKind: p.Kind.AuditActor(),
		Action: action, ObjectType: "filing_file", ObjectID: object.String(), IP: access.ClientIP(r), Old: before, New: after,
		Reason: reason})
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
