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
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/idempotency"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

type server struct {
	pool        *pgxpool.Pool
	log         *slog.Logger
	maxFileSize int64
}

const (
	catalogue = "/api/institutions/{institution}/request-types"
	oneType   = catalogue + "/{type}"
	versions  = oneType + "/versions"
	version   = versions + "/{version}"
)

func (s *server) routes(r *access.Router) {
	in := access.PathInstitution("institution")
	manage := access.Permission("requests.types.manage", in)
	for _, rt := range []access.Route{
		// What may be asked is public: citizens choose from it before they
		// have an account.
		{Pattern: "GET " + catalogue, Rule: access.Public(), Handler: s.listPublished},
		{Pattern: "GET " + oneType, Rule: access.Public(), Handler: s.getPublished},
		{Pattern: "POST " + catalogue, Rule: manage, Handler: s.create},
		// The administration's list: every type, drafts and withdrawn ones
		// too ("all" is more specific than {type}, which is an id).
		{Pattern: "GET " + catalogue + "/all", Rule: manage, Handler: s.listAll},
		{Pattern: "POST " + oneType + "/withdrawal", Rule: manage, Handler: s.withdraw},
		{Pattern: "GET " + versions, Rule: manage, Handler: s.listVersions},
		{Pattern: "POST " + versions, Rule: manage, Handler: s.newDraft},
		{Pattern: "GET " + version, Rule: manage, Handler: s.getVersion},
		{Pattern: "PUT " + version, Rule: manage, Handler: s.updateDraft},
		{Pattern: "POST " + version + "/publication", Rule: manage, Handler: s.publish},
	} {
		r.Handle(rt)
	}
}

// invalid is input refused per field, found where only the database can
// tell; refuse answers it 422.
type invalid []httpapi.FieldError

func (invalid) Error() string { return "invalid input" }

// Refusals of this function.
var (
	// errStale: If-Match names a version that is no longer current.
	errStale = errors.New("stale")
	// errHidden: the type exists but is not offered (withdrawn, or nothing
	// published); the public routes answer it like a missing one.
	errHidden = errors.New("not offered")
)

// refuse answers the refusals of package requesttypes and of this
// function; anything else is our failure.
func (s *server) refuse(w http.ResponseWriter, what string, err error) {
	var fields invalid
	switch {
	case errors.As(err, &fields):
		httpapi.Invalid(w, fields)
	case errors.Is(err, errStale):
		httpapi.PreconditionFailed(w)
	case errors.Is(err, requesttypes.ErrNotFound), errors.Is(err, institutions.ErrNotFound), errors.Is(err, errHidden):
		httpapi.NotFound(w)
	case errors.Is(err, requesttypes.ErrNoDepartment):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("departmentId", "departmentId.not_found",
			"Compartimentul nu există în această instituție.", "The department does not exist in this institution.")})
	case errors.Is(err, requesttypes.ErrNoRegister):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("registerId", "registerId.not_found",
			"Registrul nu există în această instituție.", "The register does not exist in this institution.")})
	case idempotency.WriteProblem(w, err):
	case errors.Is(err, requesttypes.ErrCodeTaken):
		httpapi.Conflict(w, "code_taken", "another request type of the institution has this code")
	case errors.Is(err, requesttypes.ErrPublished):
		httpapi.Conflict(w, "version_published", "the version is published and never changes: make a new version")
	case errors.Is(err, requesttypes.ErrNoDraft):
		httpapi.Conflict(w, "not_a_draft", "the version is not a draft: it is published already")
	case errors.Is(err, requesttypes.ErrDraftExists):
		httpapi.Conflict(w, "draft_exists", "the request type already has a draft: change it, or publish it first")
	default:
		s.log.Error(what, "error", err.Error())
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal",
			Detail: "something went wrong on our side; try again"})
	}
}

// pathVersion reads the {version} wildcard: a version number from 1. A
// malformed one is answered 404, like an unknown one.
func pathVersion(w http.ResponseWriter, r *http.Request) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n < 1 {
		httpapi.NotFound(w)
		return 0, false
	}
	return n, true
}

// pathType reads the institution and the type of the path.
func pathType(w http.ResponseWriter, r *http.Request) (inst, typ uuid.UUID, ok bool) {
	if inst, ok = httpapi.PathID(w, r, "institution"); !ok {
		return
	}
	typ, ok = httpapi.PathID(w, r, "type")
	return
}

// audit records the caller's act on a request type in the institution's
// chain, in tx.
func (s *server) audit(ctx context.Context, tx pgx.Tx, r *http.Request, institution uuid.UUID, action string,
	typ uuid.UUID, before, after any) error {
	p := access.FromContext(ctx)
	_, err := audit.Append(ctx, tx, audit.Entry{Institution: institution, ActorID: p.Account, ActorKind: p.Kind.AuditActor(),
		Action: action, ObjectType: "request_type", ObjectID: typ.String(), IP: access.ClientIP(r), Old: before, New: after})
	return err
}
