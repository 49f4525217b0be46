package main

import (
	"context"
	"errors"
	"fmt"
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
	"github.com/ghiseu/ghiseu/shared/pii"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

// Source is this function's CloudEvents source.
const Source = "/ghiseu/functions/submit-request"

type server struct {
	pool   *pgxpool.Pool
	outbox *events.Outbox
	docs   *documents.Store
	pii    *pii.Protector
	log    *slog.Logger
}

func (s *server) routes(r *access.Router) {
	in := access.PathInstitution("institution")
	const request = "/api/institutions/{institution}/requests/{request}"
	for _, rt := range []access.Route{
		{Pattern: "POST /api/institutions/{institution}/requests", Rule: access.CitizenOnly(), Handler: s.submit},
		{Pattern: "GET /api/me/requests", Rule: access.CitizenOnly(), Handler: s.mine},
		// The applicant sees its own request (row-level security finds no
		// other); staff see their departments' requests.
		{Pattern: "GET " + request, Rule: access.PermissionOrCitizen("requests.read", in), Handler: s.detail},
		{Pattern: "GET " + request + "/files/{file}", Rule: access.PermissionOrCitizen("requests.read", in), Handler: s.download},
		{Pattern: "POST " + request + "/info", Rule: access.CitizenOnly(), Handler: s.provideInfo},
		{Pattern: "GET /api/institutions/{institution}/request-status", Rule: access.Public(), Handler: s.publicStatus},
	} {
		r.Handle(rt)
	}
}

// invalid is input refused per field.
type invalid []httpapi.FieldError

func (invalid) Error() string { return "invalid input" }

// refusal is a refused file or manifest: its status and the fields at fault.
type refusal struct {
	status int
	code   string
	detail string
	fields []httpapi.FieldError
}

func (r *refusal) Error() string { return r.detail }

var (
	errIdentityRequired = errors.New("the request type needs a verified identity")
	errTypeChanged      = errors.New("the request type has a newer version")
	errNotApplicant     = errors.New("not the applicant")
)

// refuse answers the refusals of this function and its packages; anything
// else is our failure, logged without personal data.
func (s *server) refuse(w http.ResponseWriter, what string, err error) {
	var fields invalid
	var ref *refusal
	switch {
	case errors.As(err, &fields):
		httpapi.Invalid(w, fields)
	case errors.As(err, &ref):
		httpapi.WriteProblem(w, httpapi.Problem{Status: ref.status, Code: ref.code, Detail: ref.detail, Errors: ref.fields})
	case errors.Is(err, requests.ErrNotFound), errors.Is(err, requesttypes.ErrNotFound), errors.Is(err, errNotApplicant),
		errors.Is(err, documents.ErrNotFound):
		httpapi.NotFound(w)
	case errors.Is(err, errIdentityRequired):
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusForbidden, Code: "identity_required",
			Detail: "this request type needs a verified identity (a CNP or CUI on the account)"})
	case errors.Is(err, errTypeChanged):
		httpapi.Conflict(w, "request_type_changed", "the request type was changed since the form was loaded: load it again")
	case errors.Is(err, requests.ErrTransition), errors.Is(err, requests.ErrClosed):
		httpapi.Conflict(w, "not_waiting_for_information", "the request is not waiting for information from you")
	case errors.Is(err, requests.ErrNoteRequired):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("text", "text.required", "Scrieți răspunsul.", "Write the answer.")})
	case errors.Is(err, requests.ErrStale):
		httpapi.PreconditionFailed(w)
	default:
		s.log.Error(what, "error", err.Error())
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal",
			Detail: "something went wrong on our side; try again"})
	}
}

// uploadRefusal turns a refused upload of field into its answer.
func uploadRefusal(field string, err error) error {
	switch {
	case errors.Is(err, documents.ErrTooLarge):
		return &refusal{status: http.StatusRequestEntityTooLarge, code: "file_too_large", detail: field + ": " + err.Error(),
			fields: []httpapi.FieldError{httpapi.Field(field, "file.too_large", "Fișierul depășește dimensiunea permisă.",
				"The file is larger than allowed.")}}
	case errors.Is(err, documents.ErrForbiddenType):
		return &refusal{status: http.StatusUnsupportedMediaType, code: "file_type_not_allowed", detail: field + ": " + err.Error(),
			fields: []httpapi.FieldError{httpapi.Field(field, "file.type_not_allowed", "Formatul fișierului nu este acceptat pentru acest document.",
				"The file's format is not accepted for this document.")}}
	case errors.Is(err, documents.ErrBadName):
		return invalid{httpapi.Field(field, "file.name_invalid", "Numele fișierului nu este permis: trimiteți doar numele, fără cale.",
			"The file name is not allowed: "+err.Error())}
	case errors.Is(err, documents.ErrSizeMismatch):
		return invalid{httpapi.Field(field, "file.size_mismatch", "Fișierul trimis nu are dimensiunea declarată: trimiteți-l din nou.",
			"The file sent is not of the declared size: "+err.Error())}
	case errors.Is(err, documents.ErrEmpty):
		return invalid{httpapi.Field(field, "file.empty", "Fișierul este gol.", "The file is empty.")}
	case errors.Is(err, httpapi.ErrTruncated):
		return &refusal{status: http.StatusBadRequest, code: "upload_truncated", detail: "the upload ended before the file did: send it again"}
	case errors.Is(err, requests.ErrUndeclaredPart):
		return invalid{httpapi.Field(field, "file.undeclared", "Fișier nedeclarat în cerere.", err.Error())}
	case errors.Is(err, requests.ErrMissingPart):
		return invalid{httpapi.Field(field, "file.missing", "Fișierul declarat nu a fost trimis.", "The declared file was not sent.")}
	}
	return err
}

// actorOf is the caller as a request's history and the audit trail name it.
func actorOf(ctx context.Context) requests.Actor {
	p := access.FromContext(ctx)
	return requests.Actor{Account: p.Account, Kind: p.Kind.AuditActor()}
}

// record writes the audit row and the event of change c of r, in tx, and
// returns the outbox rows to publish after commit.
func (s *server) record(ctx context.Context, tx pgx.Tx, r *http.Request, req requests.Request, c requests.Change, action string) ([]int64, error) {
	var ids []int64
	if typ, data, ok := requests.Event(req, c); ok {
		e, err := s.outbox.Catalogue().New(typ, Source, req.Institution, data)
		if err != nil {
			return nil, err
		}
		id, err := s.outbox.Add(ctx, tx, e)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	entry := audit.Entry{Institution: req.Institution, ActorKind: audit.ActorSystem, Action: action, ObjectType: "request",
		ObjectID: req.ID.String(), New: map[string]any{"status": c.Status, "historyId": c.ID}}
	if c.Actor.Account != uuid.Nil {
		entry.ActorID, entry.ActorKind = c.Actor.Account, c.Actor.Kind
	}
	if r != nil {
		entry.IP = access.ClientIP(r)
	}
	if _, err := audit.Append(ctx, tx, entry); err != nil {
		return nil, fmt.Errorf("audit %s: %w", action, err)
	}
	return ids, nil
}

// sealContext binds a request's sealed form data to the request: a sealed
// value copied to another request does not open.
func sealContext(institution, id uuid.UUID) string {
	return requests.SealContext(institution, id)
}

// applicantSealContext binds who applied to the request in the same way.
func applicantSealContext(institution, id uuid.UUID) string {
	return "request.applicant:" + institution.String() + ":" + id.String()
}
