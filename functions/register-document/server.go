package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/registry"
	"github.com/ghiseu/ghiseu/shared/weblinks"
)

// Source is this function's CloudEvents source.
const Source = "/ghiseu/functions/register-document"

type server struct {
	pool   *pgxpool.Pool
	outbox *events.Outbox
	docs   *documents.Store
	log    *slog.Logger
	// site is the web app: receipts print its status lookup's address.
	site weblinks.Site
}

func (s *server) routes(r *access.Router) {
	in := access.PathInstitution("institution")
	const entry = "/api/institutions/{institution}/registry-entries/{entry}"
	for _, rt := range []access.Route{
		{Pattern: "GET /api/institutions/{institution}/registers", Rule: access.Permission("registry.read", in), Handler: s.listRegisters},
		{Pattern: "POST /api/institutions/{institution}/registers", Rule: access.Permission("registry.configure", in), Handler: s.createRegister},
		{Pattern: "GET /api/institutions/{institution}/registers/{register}", Rule: access.Permission("registry.read", in), Handler: s.getRegister},
		{Pattern: "PATCH /api/institutions/{institution}/registers/{register}", Rule: access.Permission("registry.configure", in), Handler: s.updateRegister},
		{Pattern: "GET /api/institutions/{institution}/registers/{register}/export", Rule: access.Permission("registry.export", in), Handler: s.exportRegister},
		{Pattern: "GET /api/institutions/{institution}/registry-entries", Rule: access.Permission("registry.read", in), Handler: s.searchEntries},
		{Pattern: "POST /api/institutions/{institution}/registry-entries", Rule: access.Permission("registry.register", in), Handler: s.registerEntry},
		// A citizen sees the entries that concern it, and their receipts;
		// row-level security finds nothing else for it.
		{Pattern: "GET " + entry, Rule: access.PermissionOrCitizen("registry.read", in), Handler: s.getEntry},
		{Pattern: "PATCH " + entry, Rule: access.Permission("registry.register", in), Handler: s.correctEntry},
		{Pattern: "POST " + entry + "/annulment", Rule: access.AnyPermission(in, "registry.annul", "registry.register"), Handler: s.annulEntry},
		{Pattern: "GET " + entry + "/links", Rule: access.Permission("registry.read", in), Handler: s.listLinks},
		{Pattern: "POST " + entry + "/links", Rule: access.Permission("registry.register", in), Handler: s.addLink},
		{Pattern: "GET /api/institutions/{institution}/registry-practice", Rule: access.Permission("registry.read", in), Handler: s.getPractice},
		{Pattern: "PUT /api/institutions/{institution}/registry-practice", Rule: access.Permission("registry.configure", in), Handler: s.setPractice},
		{Pattern: "GET " + entry + "/receipt", Rule: access.PermissionOrCitizen("registry.read", in), Handler: s.receipt},
		{Pattern: "POST " + entry + "/documents", Rule: access.Permission("documents.upload", in), Handler: s.addDocument},
		{Pattern: "POST " + entry + "/documents/{document}/versions", Rule: access.Permission("documents.upload", in), Handler: s.addVersion},
		{Pattern: "GET " + entry + "/documents/{document}/versions/{version}", Rule: access.Permission("documents.read", in), Handler: s.download},
	} {
		r.Handle(rt)
	}
}

// invalid is input refused per field, found where only the database can
// tell (inside a transaction); refuse answers it 422.
type invalid []httpapi.FieldError

func (invalid) Error() string { return "invalid input" }

// errHidden: the entry exists but the caller may not see it (confidential);
// answered like a missing one.
var errHidden = errors.New("hidden")

// errMayNotRegister: the register is kept for other departments' registrars.
var errMayNotRegister = errors.New("may not register in this register")

// errStale: If-Match names a version that is no longer current.
var errStale = errors.New("stale")

// refuse answers the refusals of packages registry and documents and of
// this function; anything else is our failure.
func (s *server) refuse(w http.ResponseWriter, what string, err error) {
	var fields invalid
	switch {
	case errors.As(err, &fields):
		httpapi.Invalid(w, fields)
	case errors.Is(err, errStale), errors.Is(err, registry.ErrStale):
		httpapi.PreconditionFailed(w)
	case errors.Is(err, errHidden), errors.Is(err, registry.ErrNotFound), errors.Is(err, documents.ErrNotFound):
		httpapi.NotFound(w)
	case errors.Is(err, errMayNotRegister):
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusForbidden, Code: "register_not_allowed",
			Detail: "this register is kept by other departments' registrars"})
	case errors.Is(err, registry.ErrNoRegister):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("registerId", "registerId.not_found",
			"Registrul nu există în această instituție.", "The register does not exist in this institution.")})
	case errors.Is(err, registry.ErrNoFile):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("fileId", "fileId.not_found",
			"Dosarul nu există în nomenclatorul instituției.", "The file does not exist in the institution's filing plan.")})
	case errors.Is(err, registry.ErrFileYear):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("fileId", "fileId.other_year",
			"Dosarul aparține nomenclatorului altui an.", "The file belongs to another year's filing plan.")})
	case errors.Is(err, registry.ErrNoLinkedEntry):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("answersEntryId", "answersEntryId.not_found",
			"Înregistrarea la care se răspunde nu există.", "The entry it answers does not exist.")})
	case errors.Is(err, registry.ErrNoDepartment):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("departments", "departments.not_found",
			"Un compartiment nu există în această instituție.", "A department does not exist in this institution.")})
	case errors.Is(err, registry.ErrRegisterClosed):
		httpapi.Conflict(w, "register_closed", "the register is closed: register in another one")
	case errors.Is(err, registry.ErrFileClosed):
		httpapi.Conflict(w, "file_closed", "the file is closed: it takes no more entries and gives none up")
	case errors.Is(err, registry.ErrNotOwnEntry):
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusForbidden, Code: "annul_not_allowed",
			Detail: "without registry.annul, only the registrar who registered an entry may annul it, within a short time"})
	case errors.Is(err, registry.ErrOwnAnnulExpired):
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusForbidden, Code: "annul_window_passed",
			Detail: "the time to annul one's own entry has passed: ask a holder of registry.annul"})
	case errors.Is(err, registry.ErrSelfLink):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("entryId", "entryId.self", "O înregistrare nu se conexează cu ea însăși.", "An entry is not linked to itself.")})
	case errors.Is(err, registry.ErrAlreadyAnnulled):
		httpapi.Conflict(w, "already_annulled", "the entry is already annulled")
	case errors.Is(err, registry.ErrCodeTaken):
		httpapi.Conflict(w, "code_taken", "another register of the institution has this code")
	default:
		s.log.Error(what, "error", err.Error())
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal",
			Detail: "something went wrong on our side; try again"})
	}
}

// uploadRefusal answers a refused file; it reports false for any other error.
func uploadRefusal(w http.ResponseWriter, err error) bool {
	switch {
	case errors.Is(err, documents.ErrTooLarge):
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusRequestEntityTooLarge, Code: "file_too_large", Detail: err.Error()})
	case errors.Is(err, documents.ErrBadName):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("file", "file.name_invalid",
			"Numele fișierului nu este permis: trimiteți doar numele fișierului, fără cale.",
			"The file name is not allowed: "+err.Error())})
	case errors.Is(err, documents.ErrEmpty):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("file", "file.empty", "Fișierul este gol.", "The file is empty.")})
	case errors.Is(err, documents.ErrForbiddenType):
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusUnsupportedMediaType, Code: "file_type_not_allowed",
			Detail: "the file's content is not an accepted type (PDF, images, office documents, text); executables are refused whatever their name"})
	case errors.Is(err, httpapi.ErrTruncated):
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusBadRequest, Code: "upload_truncated",
			Detail: "the upload ended before the file did: send it again"})
	default:
		return false
	}
	return true
}

// actor is who a registration is recorded for in the audit trail.
type actor struct {
	id       uuid.UUID
	kind     string
	ip       string
	onBehalf uuid.UUID
}

func actorOf(ctx context.Context, r *http.Request) actor {
	p := access.FromContext(ctx)
	return actor{id: p.Account, kind: p.Kind.AuditActor(), ip: access.ClientIP(r)}
}

// audit records an act in the institution's chain, in tx.
func (s *server) audit(ctx context.Context, tx pgx.Tx, a actor, institution uuid.UUID, action, objectType string,
	object uuid.UUID, before, after any, reason string) error {
	_, err := audit.Append(ctx, tx, audit.Entry{Institution: institution, ActorID: a.id, ActorKind: a.kind,
		OnBehalfOf: a.onBehalf, Action: action, ObjectType: objectType, ObjectID: object.String(), IP: a.ip,
		Old: before, New: after, Reason: reason})
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

// mayView reports whether the caller may see e: a confidential entry only
// to holders of documents.read.confidential, to whoever registered it, and
// to the citizen it concerns (row-level security already keeps everything
// else from a citizen).
func mayView(p *access.Principal, e registry.Entry) bool {
	if !e.Confidential() || p == nil {
		return p != nil
	}
	return p.Can("documents.read.confidential", e.Institution) || e.RegisteredBy == p.Account || e.Party == p.Account
}
