package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/registry"
	"github.com/ghiseu/ghiseu/shared/requests"
)

// Source is this function's CloudEvents source.
const Source = "/ghiseu/functions/handle-request"

type server struct {
	pool   *pgxpool.Pool
	outbox *events.Outbox
	docs   *documents.Store
	log    *slog.Logger
	// reminderDays: see config.ReminderDays.
	reminderDays []int
	// refusalReminderDays: see config.RefusalReminderDays.
	refusalReminderDays []int
}

// actionRoute is an action's path, the action and the permission it needs.
type actionRoute struct {
	path, kind, perm string
}

func actionRoutes() []actionRoute {
	return []actionRoute{
		{"assignment", requests.ActAssign, "requests.assign"},
		{"start", requests.ActStart, "requests.resolve"},
		{"info-request", requests.ActAskInfo, "requests.resolve"},
		{"extension", requests.ActExtend, "requests.resolve"},
		{"resolution", requests.ActResolve, "requests.resolve"},
		{"rejection", requests.ActReject, "requests.resolve"},
		{"forwarding", requests.ActForward, "requests.resolve"},
		{"filing", requests.ActFile, "requests.resolve"},
	}
}

func (s *server) routes(r *access.Router) {
	in := access.PathInstitution("institution")
	r.Handle(access.Route{Pattern: "GET /api/institutions/{institution}/requests", Rule: access.Permission("requests.read", in), Handler: s.list})
	r.Handle(access.Route{Pattern: "GET /api/institutions/{institution}/statistics/requests", Rule: access.Permission("requests.read", in), Handler: s.overview})
	for _, a := range actionRoutes() {
		r.Handle(access.Route{Pattern: "POST /api/institutions/{institution}/requests/{request}/" + a.path,
			Rule: access.Permission(a.perm, in), Handler: s.act(a)})
	}
}

// list is the work list: the open requests of the caller's departments (or
// the one asked for), or those assigned to someone, the most urgent first.
func (s *server) list(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	p := access.FromContext(ctx)
	q := r.URL.Query()
	limit, after, ok := pageParams(w, r)
	if !ok {
		return
	}
	var f requests.WorkFilter
	if v := q.Get("assignee"); v != "" {
		if v == "me" {
			f.Assignee = p.Account
		} else if id, err := uuid.Parse(v); err == nil {
			f.Assignee = id
		} else {
			httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("assignee", "assignee.invalid", "„me” sau un identificator.", `"me" or an account id.`)})
			return
		}
	}
	var wanted uuid.UUID
	if v := q.Get("department"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("department", "department.invalid", "Compartiment nevalid.", "Invalid department.")})
			return
		}
		wanted = id
	}
	var list []requests.Request
	var next *requests.Cursor
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if f.Departments, err = readableDepartments(ctx, tx, p, inst, wanted); err != nil {
			return err
		}
		list, next, err = requests.Work(ctx, tx, inst, f, after, limit)
		return err
	})
	if err != nil {
		s.refuse(w, "work list", err)
		return
	}
	out := struct {
		Items []requests.Summary `json:"items"`
		Next  string             `json:"next,omitempty"`
	}{Items: []requests.Summary{}}
	now := time.Now()
	for _, req := range list {
		out.Items = append(out.Items, requests.Summarize(req, now))
	}
	if next != nil {
		out.Next = next.Encode()
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// readableDepartments are the institution's departments whose requests the
// caller may read: all of them, or only wanted when it is set.
func readableDepartments(ctx context.Context, tx pgx.Tx, p *access.Principal, inst, wanted uuid.UUID) ([]uuid.UUID, error) {
	ds, err := institutions.Departments(ctx, tx, inst)
	if err != nil {
		return nil, err
	}
	out := []uuid.UUID{}
	for _, d := range ds {
		if (wanted == uuid.Nil || d.ID == wanted) && p.CanInDepartment("requests.read", inst, d.ID) {
			out = append(out, d.ID)
		}
	}
	return out, nil
}

// overview is the dashboard's numbers: requests received, resolved and
// overdue day by day over a period (the last 30 days by default), and each
// department's open work today, for the departments the caller reads.
func (s *server) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	p := access.FromContext(ctx)
	q := r.URL.Query()
	today := deadlines.DateOf(time.Now())
	to, from := today, today.AddDays(-29)
	var errs []httpapi.FieldError
	parseDay := func(name string, into *deadlines.Date) {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				errs = append(errs, httpapi.Field(name, name+".invalid", "O dată de forma AAAA-LL-ZZ.", "A date as YYYY-MM-DD."))
				return
			}
			*into = deadlines.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
		}
	}
	parseDay("to", &to)
	if q.Get("to") != "" && q.Get("from") == "" {
		from = to.AddDays(-29)
	}
	parseDay("from", &from)
	if len(errs) == 0 && (to.Before(from) || from.AddDays(requests.MaxOverviewDays-1).Before(to)) {
		errs = append(errs, httpapi.Field("from", "period.invalid",
			fmt.Sprintf("Perioada are între 1 și %d de zile, de la „from” la „to”.", requests.MaxOverviewDays),
			fmt.Sprintf("The period is 1 to %d days, from \"from\" to \"to\".", requests.MaxOverviewDays)))
	}
	var wanted uuid.UUID
	if v := q.Get("department"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			errs = append(errs, httpapi.Field("department", "department.invalid", "Compartiment nevalid.", "Invalid department."))
		}
		wanted = id
	}
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	var o requests.Overview
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		depts, err := readableDepartments(ctx, tx, p, inst, wanted)
		if err != nil {
			return err
		}
		o, err = requests.ReadOverview(ctx, tx, inst, depts, from, to, today)
		return err
	})
	if err != nil {
		s.refuse(w, "work overview", err)
		return
	}
	type day struct {
		Day             string `json:"day"`
		Received        int    `json:"received"`
		Resolved        int    `json:"resolved"`
		ClosedOtherwise int    `json:"closedOtherwise"`
		Overdue         int    `json:"overdue"`
	}
	type load struct {
		ID      uuid.UUID `json:"id"`
		Name    string    `json:"name"`
		Open    int       `json:"open"`
		Overdue int       `json:"overdue"`
		DueSoon int       `json:"dueSoon"`
	}
	out := struct {
		From        string `json:"from"`
		To          string `json:"to"`
		Today       string `json:"today"`
		Days        []day  `json:"days"`
		Departments []load `json:"departments"`
	}{From: from.String(), To: to.String(), Today: today.String(), Days: []day{}, Departments: []load{}}
	for _, d := range o.Days {
		out.Days = append(out.Days, day{d.Day.String(), d.Received, d.Resolved, d.ClosedOtherwise, d.Overdue})
	}
	for _, l := range o.Departments {
		out.Departments = append(out.Departments, load{l.Department, l.Name, l.Open, l.Overdue, l.DueSoon})
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// pageParams reads limit and cursor, answering them when wrong.
func pageParams(w http.ResponseWriter, r *http.Request) (int, *requests.Cursor, bool) {
	limit, after, errs := requests.ParsePage(r.URL.Query(), 50)
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return 0, nil, false
	}
	return limit, after, true
}

// actionInput is the body of an action; each action reads its fields.
type actionInput struct {
	AssigneeID               string `json:"assigneeId"`
	Note                     string `json:"note"`
	Question                 string `json:"question"`
	Reason                   string `json:"reason"`
	Days                     int    `json:"days"`
	Destination              string `json:"destination"`
	DestinationInstitutionID string `json:"destinationInstitutionId"`
	// Files are declared before they follow (resolution only).
	Files []struct {
		Title string `json:"title"`
		Name  string `json:"name"`
		// Size, when given, must be the bytes sent, exactly.
		Size int64 `json:"size"`
	} `json:"files"`
}

// act handles one action: application/json, or for a resolution
// multipart/form-data with a "resolution" part (the JSON) and then the
// answer's "file" parts. If-Match, when sent, must name the request's
// current revision.
func (s *server) act(route actionRoute) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		inst, _ := uuid.Parse(r.PathValue("institution"))
		id, ok := httpapi.PathID(w, r, "request")
		if !ok {
			return
		}
		p := access.FromContext(ctx)
		var in actionInput
		var parts *multipart.Reader
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" && route.kind == requests.ActResolve {
			var err error
			if parts, err = r.MultipartReader(); err != nil {
				httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusBadRequest, Code: "malformed_multipart", Detail: err.Error()})
				return
			}
			if !httpapi.ReadJSONPart(w, parts, "resolution", &in) {
				return
			}
		} else if !httpapi.DecodeJSON(w, r, &in) {
			return
		}
		a := requests.Action{Kind: route.kind, By: requests.Actor{Account: p.Account, Kind: p.Kind.AuditActor()}, Days: in.Days,
			Destination: in.Destination}
		if tag := r.Header.Get("If-Match"); tag != "" {
			n, err := strconv.Atoi(strings.Trim(tag, `W/"`))
			if err != nil {
				httpapi.PreconditionFailed(w)
				return
			}
			a.Revision = n
		}
		switch route.kind {
		case requests.ActAskInfo:
			a.Note = in.Question
		case requests.ActExtend, requests.ActReject, requests.ActFile:
			a.Note = in.Reason
		default:
			a.Note = in.Note
		}
		if in.AssigneeID != "" {
			var err error
			if a.Assignee, err = uuid.Parse(in.AssigneeID); err != nil {
				httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("assigneeId", "assigneeId.invalid", "Identificator nevalid.", "Not an account id.")})
				return
			}
		}
		if in.DestinationInstitutionID != "" {
			var err error
			if a.DestinationID, err = uuid.Parse(in.DestinationInstitutionID); err != nil {
				httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("destinationInstitutionId", "destinationInstitutionId.invalid",
					"Identificator nevalid.", "Not an institution id.")})
				return
			}
		}

		// The caller must work in the request's department: checked before
		// any file of an answer is stored.
		err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
			req, err := requests.Get(ctx, tx, inst, id)
			if err != nil {
				return err
			}
			if !p.CanInDepartment(route.perm, inst, req.Department) {
				return requests.ErrNotFound
			}
			if a.Kind == requests.ActAssign && a.Assignee != uuid.Nil {
				return checkAssignee(ctx, tx, inst, req.Department, a.Assignee)
			}
			return nil
		})
		if err != nil {
			s.refuse(w, route.kind, err)
			return
		}
		if parts != nil {
			declared := make([]requests.Declared, len(in.Files))
			for i, f := range in.Files {
				declared[i] = requests.Declared{Kind: requests.KindAnswer, Title: f.Title, Store: s.docs, Size: f.Size}
			}
			if a.Files, err = requests.UploadParts(ctx, inst, parts, declared, func(i int) string { return fmt.Sprintf("files[%d]", i) }); err != nil {
				s.refuse(w, route.kind+": upload", err)
				return
			}
		}

		var req requests.Request
		var ids []int64
		err = access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
			var c requests.Change
			var err error
			if req, c, err = requests.Apply(ctx, tx, inst, id, a); err != nil {
				return err
			}
			if ids, err = s.record(ctx, tx, r, req, c); err != nil {
				return err
			}
			if a.Kind != requests.ActResolve {
				return nil
			}
			// Identical petitions linked to this one are answered with it.
			dups, err := requests.ResolveDuplicates(ctx, tx, req, c)
			if err != nil {
				return err
			}
			var also []string
			for _, d := range dups {
				more, err := s.record(ctx, tx, r, d.Request, d.Change)
				if err != nil {
					return err
				}
				ids = append(ids, more...)
				also = append(also, fmt.Sprintf("%s-%d/%d", d.Request.RegisterCode, d.Request.Number, d.Request.Year))
			}
			// The answer goes to the registry as an outgoing document, to
			// whoever the request's entry says sent it, where the
			// institution's practice numbers answers.
			entry, err := registry.Get(ctx, tx, inst, req.Entry)
			if err != nil {
				return err
			}
			register, sameNumber, err := registry.AnswerPlacement(ctx, tx, inst, req.Entry)
			if err != nil {
				return err
			}
			e, err := s.outbox.Catalogue().New(events.TypeDocumentReceived, Source, inst,
				requests.Answer(req, entry.Sender, a.Files, register, sameNumber, also))
			if err != nil {
				return err
			}
			out, err := s.outbox.Add(ctx, tx, e)
			ids = append(ids, out)
			return err
		})
		if err != nil {
			s.refuse(w, route.kind, err)
			return
		}
		s.outbox.Publish(ctx, ids...)
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, req.Revision))
		httpapi.WriteJSON(w, http.StatusOK, requests.Summarize(req, time.Now()))
	}
}

// errNotEligible: the assignee does not work on the department's requests.
var errNotEligible = errors.New("the account may not resolve the department's requests")

// checkAssignee: a clerk is an active staff member of the institution who
// may resolve requests of the department.
func checkAssignee(ctx context.Context, tx pgx.Tx, inst, department, account uuid.UUID) error {
	var kind string
	var of *uuid.UUID
	err := tx.QueryRow(ctx, `SELECT kind, institution_id FROM account WHERE id = $1 AND status = 'active'`, account).Scan(&kind, &of)
	if errors.Is(err, pgx.ErrNoRows) {
		return errNotEligible
	}
	if err != nil {
		return fmt.Errorf("assignee %s: %w", account, err)
	}
	if access.Kind(kind) != access.Staff || of == nil || *of != inst {
		return errNotEligible
	}
	grants, err := access.LoadGrants(ctx, tx, account)
	if err != nil {
		return fmt.Errorf("assignee %s: %w", account, err)
	}
	clerk := access.Principal{Account: account, Kind: access.Staff, Institution: inst, Grants: grants}
	if !clerk.CanInDepartment("requests.resolve", inst, department) {
		return errNotEligible
	}
	return nil
}

// record writes the audit row and the event of change c, in tx.
func (s *server) record(ctx context.Context, tx pgx.Tx, r *http.Request, req requests.Request, c requests.Change) ([]int64, error) {
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
	_, err := audit.Append(ctx, tx, audit.Entry{Institution: req.Institution, ActorID: c.Actor.Account, ActorKind: c.Actor.Kind,
		Action: "request." + c.Action, ObjectType: "request", ObjectID: req.ID.String(), IP: access.ClientIP(r),
		New: map[string]any{"status": c.Status, "historyId": c.ID, "details": c.Details}, Reason: c.Note})
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", c.Action, err)
	}
	return ids, nil
}

// invalid is input refused per field.
type invalid []httpapi.FieldError

func (invalid) Error() string { return "invalid input" }

func fieldError(field, code, ro, en string) error {
	return invalid{httpapi.Field(field, code, ro, en)}
}

// refuse answers the refusals of package requests and of this function.
func (s *server) refuse(w http.ResponseWriter, what string, err error) {
	var fields invalid
	if errors.As(err, &fields) {
		httpapi.Invalid(w, fields)
		return
	}
	mapped := map[error]error{
		requests.ErrNoAssignee: fieldError("assigneeId", "assigneeId.required", "Alegeți funcționarul.", "Choose the clerk."),
		errNotEligible: fieldError("assigneeId", "assigneeId.not_eligible", "Persoana nu lucrează la cererile acestui compartiment.",
			"The person does not work on this department's requests."),
		requests.ErrNoDestination: fieldError("destination", "destination.required", "Instituția competentă.", "The competent institution."),
		requests.ErrNoAnswer:      fieldError("files", "files.answer_required", "Atașați documentul de răspuns.", "Attach the answer document."),
	}
	var ext *requests.ExtensionError
	if errors.As(err, &ext) {
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("days", "days.range",
			fmt.Sprintf("Prelungirea este de 1 până la %d zile.", ext.Max), fmt.Sprintf("The extension is 1 to %d days.", ext.Max))})
		return
	}
	for sentinel, answer := range mapped {
		if errors.Is(err, sentinel) {
			httpapi.Invalid(w, answer.(invalid))
			return
		}
	}
	switch {
	case errors.Is(err, requests.ErrNoteRequired):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field(noteField(what), noteField(what)+".required",
			"Completați textul.", "The text is required.")})
	case errors.Is(err, requests.ErrNotFound):
		httpapi.NotFound(w)
	case errors.Is(err, registry.ErrNoAnswerRegister):
		httpapi.Conflict(w, "no_answer_register", "the institution has no open outgoing register for answers: an administrator opens one or names it in the registry practice")
	case errors.Is(err, requests.ErrStale):
		httpapi.PreconditionFailed(w)
	case errors.Is(err, requests.ErrNotRegistered):
		httpapi.Conflict(w, "not_registered", "the request has no registration number yet")
	case errors.Is(err, requests.ErrClosed):
		httpapi.Conflict(w, "request_closed", "the request is closed")
	case errors.Is(err, requests.ErrAlreadyExtended):
		httpapi.Conflict(w, "already_extended", "the deadline was already extended once")
	case errors.Is(err, requests.ErrExtensionLate):
		httpapi.Conflict(w, "extension_late", "the term has ended: an extension is announced within it")
	case errors.Is(err, requests.ErrTransition):
		httpapi.Conflict(w, "action_not_allowed", err.Error())
	case errors.Is(err, documents.ErrTooLarge):
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusRequestEntityTooLarge, Code: "file_too_large", Detail: err.Error()})
	case errors.Is(err, documents.ErrForbiddenType):
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusUnsupportedMediaType, Code: "file_type_not_allowed", Detail: err.Error()})
	case errors.Is(err, documents.ErrBadName), errors.Is(err, documents.ErrEmpty):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("files", "file.invalid", "Fișier nevalid.", err.Error())})
	case errors.Is(err, httpapi.ErrTruncated):
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusBadRequest, Code: "upload_truncated",
			Detail: "the upload ended before the file did: send it again"})
	case errors.Is(err, documents.ErrSizeMismatch):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field(uploadField(err), "file.size_mismatch",
			"Fișierul trimis nu are dimensiunea declarată: trimiteți-l din nou.", err.Error())})
	case errors.Is(err, requests.ErrUndeclaredPart), errors.Is(err, requests.ErrMissingPart):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field(uploadField(err), "file.undeclared_or_missing",
			"Fișierele trimise nu sunt cele declarate.", err.Error())})
	default:
		s.log.Error(what, "error", err.Error())
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal",
			Detail: "something went wrong on our side; try again"})
	}
}

// uploadField is the file part a refused upload names.
func uploadField(err error) string {
	var refused *requests.UploadError
	if errors.As(err, &refused) {
		return refused.Field
	}
	return "files"
}

// noteField is the field that carries an action's text.
func noteField(action string) string {
	switch action {
	case requests.ActAskInfo:
		return "question"
	case requests.ActExtend, requests.ActReject, requests.ActFile:
		return "reason"
	}
	return "note"
}
