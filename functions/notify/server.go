package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/mail"
)

// Page sizes of the lists.
const (
	defaultLimit = 25
	maxLimit     = 100
)

// unreadCap bounds the count of unread notifications: counting is a hot
// path (every page load of the portal shows it), and "99+" is all a badge
// says anyway.
const unreadCap = 100

func (h *Handler) routes(r *access.Router) {
	manage := access.Permission("notifications.manage", access.PathInstitution("institution"))
	const templates = "/api/institutions/{institution}/message-templates"
	for _, rt := range []access.Route{
		// Row-level security shows an account its own notifications only.
		{Pattern: "GET /api/me/notifications", Rule: access.SignedIn(), Handler: h.myNotifications},
		{Pattern: "POST /api/me/notifications/{notification}/read", Rule: access.SignedIn(), Handler: h.markRead},
		{Pattern: "GET " + templates, Rule: manage, Handler: h.listTemplates},
		{Pattern: "GET " + templates + "/{name}/{locale}", Rule: manage, Handler: h.getTemplate},
		{Pattern: "PUT " + templates + "/{name}/{locale}", Rule: manage, Handler: h.putTemplate},
		{Pattern: "GET /api/institutions/{institution}/messages", Rule: manage, Handler: h.listMessages},
	} {
		r.Handle(rt)
	}
}

// internal answers our own failure, logged without personal data.
func (h *Handler) internal(w http.ResponseWriter, what string, err error) {
	h.log.Error(what, "error", err.Error())
	httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal",
		Detail: "something went wrong on our side; try again"})
}

// cursor is where a page ends: the newest-first key of its last row.
type cursor struct {
	At time.Time `json:"t"`
	ID string    `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// pageParams reads limit and after, answering them when wrong.
func pageParams(w http.ResponseWriter, r *http.Request) (int, *cursor, bool) {
	q := r.URL.Query()
	var errs []httpapi.FieldError
	limit := defaultLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			errs = append(errs, httpapi.Field("limit", "limit.invalid", fmt.Sprintf("Limita este un număr între 1 și %d.", maxLimit),
				fmt.Sprintf("The limit is a number from 1 to %d.", maxLimit)))
		}
		limit = n
	}
	var after *cursor
	if s := q.Get("after"); s != "" {
		var c cursor
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err == nil {
			err = json.Unmarshal(b, &c)
		}
		if err != nil || c.ID == "" || c.At.IsZero() {
			errs = append(errs, httpapi.Field("after", "after.invalid", "Cursorul nu este valid: porniți de la prima pagină.",
				"The cursor is not valid: start from the first page."))
		}
		after = &c
	}
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return 0, nil, false
	}
	return limit, after, true
}

type notificationView struct {
	ID          uuid.UUID  `json:"id"`
	Kind        string     `json:"kind"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	Link        string     `json:"link"`
	Institution *uuid.UUID `json:"institutionId"`
	CreatedAt   time.Time  `json:"createdAt"`
	ReadAt      *time.Time `json:"readAt"`
}

type notificationPage struct {
	Items  []notificationView `json:"items"`
	Next   string             `json:"next,omitempty"`
	Unread int                `json:"unread"`
}

// myNotifications lists the caller's in-app notifications, newest first,
// with how many are unread.
func (h *Handler) myNotifications(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	limit, after, ok := pageParams(w, r)
	if !ok {
		return
	}
	me := access.FromContext(ctx).Account
	out := notificationPage{Items: []notificationView{}}
	err := access.Tx(ctx, h.pool, func(tx pgx.Tx) error {
		args := []any{me, limit + 1}
		where := ""
		if after != nil {
			id, err := uuid.Parse(after.ID)
			if err != nil {
				id = uuid.Max
			}
			args = append(args, after.At, id)
			where = ` AND (created_at, id) < ($3, $4)`
		}
		rows, err := tx.Query(ctx, `SELECT id, kind, title, body, link, institution_id, created_at, read_at FROM notification
			WHERE account_id = $1`+where+` ORDER BY created_at DESC, id DESC LIMIT $2`, args...)
		if err != nil {
			return err
		}
		out.Items, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (notificationView, error) {
			var n notificationView
			err := row.Scan(&n.ID, &n.Kind, &n.Title, &n.Body, &n.Link, &n.Institution, &n.CreatedAt, &n.ReadAt)
			return n, err
		})
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM notification WHERE account_id = $1 AND read_at IS NULL LIMIT $2) u`,
			me, unreadCap).Scan(&out.Unread)
	})
	if err != nil {
		h.internal(w, "my notifications", err)
		return
	}
	if len(out.Items) > limit {
		last := out.Items[limit-1]
		out.Items, out.Next = out.Items[:limit], cursor{At: last.CreatedAt, ID: last.ID.String()}.encode()
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// markRead marks one of the caller's notifications read; again is no
// change.
func (h *Handler) markRead(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := httpapi.PathID(w, r, "notification")
	if !ok {
		return
	}
	var found bool
	err := access.Tx(ctx, h.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE notification SET read_at = coalesce(read_at, now()) WHERE id = $1 AND account_id = $2`,
			id, access.FromContext(ctx).Account)
		found = tag.RowsAffected() == 1
		return err
	})
	switch {
	case err != nil:
		h.internal(w, "mark a notification read", err)
	case !found:
		httpapi.NotFound(w)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// templateView is one version of a template, as institutions edit it.
type templateView struct {
	Name    string `json:"name"`
	Locale  string `json:"locale"`
	Version int    `json:"version"`
	// BuiltIn: version 0, the platform's own.
	BuiltIn   bool       `json:"builtIn"`
	CreatedAt *time.Time `json:"createdAt"`
	CreatedBy *uuid.UUID `json:"createdBy"`
	mail.Parts
}

type templateSummary struct {
	Name      string     `json:"name"`
	Locale    string     `json:"locale"`
	Version   int        `json:"version"`
	BuiltIn   bool       `json:"builtIn"`
	UpdatedAt *time.Time `json:"updatedAt"`
}

func templateETag(version int) string { return `"v` + strconv.Itoa(version) + `"` }

// listTemplates lists every template in every locale with the version the
// institution's notifications are written with now.
func (h *Handler) listTemplates(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst := access.ScopeFromContext(ctx).Institution
	type newest struct {
		version int
		at      time.Time
	}
	saved := map[[2]string]newest{}
	err := access.Tx(ctx, h.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT name, locale, max(version), max(created_at) FROM message_template
			WHERE institution_id = $1 GROUP BY name, locale`, inst)
		if err != nil {
			return err
		}
		var name, locale string
		var n newest
		_, err = pgx.ForEachRow(rows, []any{&name, &locale, &n.version, &n.at}, func() error {
			saved[[2]string{name, locale}] = n
			return nil
		})
		return err
	})
	if err != nil {
		h.internal(w, "list templates", err)
		return
	}
	out := struct {
		Items []templateSummary `json:"items"`
	}{Items: []templateSummary{}}
	for _, name := range h.templates.Names() {
		if h.operatorTemplates[name] {
			continue
		}
		for _, locale := range mail.Locales() {
			s := templateSummary{Name: name, Locale: locale, BuiltIn: true}
			if n, ok := saved[[2]string{name, locale}]; ok {
				s.Version, s.BuiltIn, s.UpdatedAt = n.version, false, &n.at
			}
			out.Items = append(out.Items, s)
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// templatePath reads name and locale, answering 404 for a template there is
// none of.
func (h *Handler) templatePath(w http.ResponseWriter, r *http.Request) (name, locale string, ok bool) {
	name, locale = r.PathValue("name"), r.PathValue("locale")
	if !h.templates.Has(name) || h.operatorTemplates[name] || !slices.Contains(mail.Locales(), locale) {
		httpapi.NotFound(w)
		return "", "", false
	}
	return name, locale, true
}

// readTemplate reads version (0: the newest) of an institution's template,
// or the built-in one when it has none.
func (h *Handler) readTemplate(ctx context.Context, tx pgx.Tx, name, locale string, version int) (templateView, bool, error) {
	v := templateView{Name: name, Locale: locale}
	var at time.Time
	var by *uuid.UUID
	err := tx.QueryRow(ctx, `SELECT version, subject, text, html, sms, notice, created_at, created_by FROM message_template
		WHERE institution_id = $1 AND name = $2 AND locale = $3 AND ($4 = 0 OR version = $4)
		ORDER BY version DESC LIMIT 1`, access.ScopeFromContext(ctx).Institution, name, locale, version).
		Scan(&v.Version, &v.Subject, &v.Text, &v.HTML, &v.SMS, &v.Notice, &at, &by)
	switch {
	case errors.Is(err, pgx.ErrNoRows) && version == 0:
		v.Parts, _ = h.templates.Source(name, locale)
		v.BuiltIn = true
		return v, true, nil
	case errors.Is(err, pgx.ErrNoRows):
		return templateView{}, false, nil
	case err != nil:
		return templateView{}, false, err
	}
	v.CreatedAt, v.CreatedBy = &at, by
	return v, true, nil
}

// getTemplate shows the template the institution's notifications are
// written with now (?version=N: an older one, as a message names it).
func (h *Handler) getTemplate(w http.ResponseWriter, r *http.Request) {
	name, locale, ok := h.templatePath(w, r)
	if !ok {
		return
	}
	version := 0
	if s := r.URL.Query().Get("version"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("version", "version.invalid",
				"Versiunea este un număr de la 1 în sus.", "The version is a number from 1 up.")})
			return
		}
		version = n
	}
	var v templateView
	var found bool
	err := access.Tx(r.Context(), h.pool, func(tx pgx.Tx) (err error) {
		v, found, err = h.readTemplate(r.Context(), tx, name, locale, version)
		return err
	})
	switch {
	case err != nil:
		h.internal(w, "read a template", err)
		return
	case !found:
		httpapi.NotFound(w)
		return
	}
	w.Header().Set("ETag", templateETag(v.Version))
	httpapi.WriteJSON(w, http.StatusOK, v)
}

// Longest parts of a template, as the table allows.
var partLimits = map[string]int{mail.PartSubject: 1000, mail.PartText: 20000, mail.PartHTML: 50000, mail.PartSMS: 1000, mail.PartNotice: 2000}

// putTemplate saves a new version of the institution's template, after
// checking that every part parses and renders; If-Match names the version
// the edit started from (412 when another was saved since).
func (h *Handler) putTemplate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name, locale, ok := h.templatePath(w, r)
	if !ok {
		return
	}
	ifMatch, ok := httpapi.RequireIfMatch(w, r)
	if !ok {
		return
	}
	var p mail.Parts
	if !httpapi.DecodeJSON(w, r, &p) {
		return
	}
	if errs := h.partErrors(locale, p); len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	principal := access.FromContext(ctx)
	inst := access.ScopeFromContext(ctx).Institution
	var saved templateView
	stale := false
	err := access.Tx(ctx, h.pool, func(tx pgx.Tx) error {
		cur, _, err := h.readTemplate(r.Context(), tx, name, locale, 0)
		if err != nil {
			return err
		}
		if !httpapi.IfMatch(ifMatch, templateETag(cur.Version)) {
			stale = true
			return nil
		}
		saved = templateView{Name: name, Locale: locale, Version: cur.Version + 1, Parts: p, CreatedBy: &principal.Account}
		var at time.Time
		err = tx.QueryRow(ctx, `INSERT INTO message_template (institution_id, name, locale, version, subject, text, html, sms, notice, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING created_at`,
			inst, name, locale, saved.Version, p.Subject, p.Text, p.HTML, p.SMS, p.Notice, principal.Account).Scan(&at)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			// Another edit saved this version first.
			stale = true
			return errStale
		}
		if err != nil {
			return err
		}
		saved.CreatedAt = &at
		_, err = audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorID: principal.Account, ActorKind: principal.Kind.AuditActor(),
			Action: "message_template.save", ObjectType: "message_template", ObjectID: name + "/" + locale,
			IP: access.ClientIP(r), Old: map[string]any{"version": cur.Version}, New: map[string]any{"version": saved.Version}})
		return err
	})
	switch {
	case stale:
		httpapi.PreconditionFailed(w)
		return
	case err != nil:
		h.internal(w, "save a template", err)
		return
	}
	w.Header().Set("ETag", templateETag(saved.Version))
	httpapi.WriteJSON(w, http.StatusOK, saved)
}

var errStale = errors.New("stale")

// partErrors checks a template's parts: lengths, then syntax and a render
// with sample data, per part.
func (h *Handler) partErrors(locale string, p mail.Parts) []httpapi.FieldError {
	var errs []httpapi.FieldError
	for _, part := range []struct{ name, src string }{{mail.PartSubject, p.Subject}, {mail.PartText, p.Text},
		{mail.PartHTML, p.HTML}, {mail.PartSMS, p.SMS}, {mail.PartNotice, p.Notice}} {
		if n := partLimits[part.name]; utf8.RuneCountInString(part.src) > n {
			errs = append(errs, httpapi.Field(part.name, part.name+".too_long", fmt.Sprintf("Textul poate avea cel mult %d de caractere.", n),
				fmt.Sprintf("The text may be at most %d characters long.", n)))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	for _, e := range h.templates.Check(locale, p) {
		errs = append(errs, httpapi.Field(e.Part, e.Part+".invalid", "Șablonul nu este valid: "+e.Err.Error(),
			"The template is not valid: "+e.Err.Error()))
	}
	return errs
}

type messageView struct {
	ID              int64      `json:"id"`
	EventType       string     `json:"eventType"`
	EventID         string     `json:"eventId"`
	Channel         string     `json:"channel"`
	AccountID       uuid.UUID  `json:"accountId"`
	Template        string     `json:"template"`
	Locale          string     `json:"locale"`
	TemplateVersion int        `json:"templateVersion"`
	Status          string     `json:"status"`
	Attempts        int        `json:"attempts"`
	NextAttemptAt   *time.Time `json:"nextAttemptAt"`
	LastError       *string    `json:"lastError"`
	CreatedAt       time.Time  `json:"createdAt"`
	FailedAt        *time.Time `json:"failedAt"`
}

// listMessages lists the institution's messages that failed for good
// (?status=failed, the default) or still wait (?status=queued), newest
// first, with why: never the address, which is read only when sending.
func (h *Handler) listMessages(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	status := r.URL.Query().Get("status")
	if status == "" {
		status = "failed"
	}
	if status != "failed" && status != "queued" {
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("status", "status.invalid",
			"Starea poate fi failed sau queued.", "The status may be failed or queued.")})
		return
	}
	limit, after, ok := pageParams(w, r)
	if !ok {
		return
	}
	out := struct {
		Items []messageView `json:"items"`
		Next  string        `json:"next,omitempty"`
	}{Items: []messageView{}}
	err := access.Tx(ctx, h.pool, func(tx pgx.Tx) error {
		args := []any{access.ScopeFromContext(ctx).Institution, status, limit + 1}
		where := ""
		if after != nil {
			id, err := strconv.ParseInt(after.ID, 10, 64)
			if err != nil {
				id = 0
			}
			args = append(args, after.At, id)
			where = ` AND (created_at, id) < ($4, $5)`
		}
		rows, err := tx.Query(ctx, `SELECT id, event_type, event_id, channel, account_id, template, locale, template_version,
				status, attempts, next_attempt_at, last_error, created_at, failed_at
			FROM message WHERE institution_id = $1 AND status = $2`+where+`
			ORDER BY created_at DESC, id DESC LIMIT $3`, args...)
		if err != nil {
			return err
		}
		out.Items, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (messageView, error) {
			var m messageView
			var next time.Time
			err := row.Scan(&m.ID, &m.EventType, &m.EventID, &m.Channel, &m.AccountID, &m.Template, &m.Locale,
				&m.TemplateVersion, &m.Status, &m.Attempts, &next, &m.LastError, &m.CreatedAt, &m.FailedAt)
			if m.Status == "queued" {
				m.NextAttemptAt = &next
			}
			return m, err
		})
		return err
	})
	if err != nil {
		h.internal(w, "list messages", err)
		return
	}
	if len(out.Items) > limit {
		last := out.Items[limit-1]
		out.Items, out.Next = out.Items[:limit], cursor{At: last.CreatedAt, ID: strconv.FormatInt(last.ID, 10)}.encode()
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}
