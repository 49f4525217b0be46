package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/idempotency"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// maxFilesPerRegistration bounds the files of one registration request.
const maxFilesPerRegistration = 50

// entryInput is the metadata of a registration, from the counter (HTTP) or
// an event.
type entryInput struct {
	RegisterID      string          `json:"registerId"`
	Direction       string          `json:"direction"`
	Channel         string          `json:"channel"`
	Sender          string          `json:"sender"`
	Recipient       string          `json:"recipient"`
	Subject         string          `json:"subject"`
	Pages           int             `json:"pages"`
	Attachments     int             `json:"attachments"`
	Confidentiality string          `json:"confidentiality"`
	AnswersEntryID  string          `json:"answersEntryId"`
	FileID          string          `json:"fileId"`
	Documents       []documentTitle `json:"documents"`
}

// documentTitle names the file parts that follow the entry, in order.
type documentTitle struct {
	Title string `json:"title"`
	// Size, when given, is the file's size in bytes: the bytes sent must
	// be exactly as many (documents.ErrSizeMismatch).
	Size int64 `json:"size"`
}

var (
	directions       = []string{"incoming", "outgoing", "internal"}
	channels         = []string{"counter", "portal", "email", "post", "institution_system", "internal"}
	confidentialites = []string{"public", "internal", "confidential"}
)

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

// text checks a free-text field: valid UTF-8, no control characters but
// line breaks and tabs, at most max characters.
func text(field, v string, max int, required bool) []httpapi.FieldError {
	switch {
	case required && strings.TrimSpace(v) == "":
		return []httpapi.FieldError{httpapi.Field(field, field+".required", "Câmpul este obligatoriu.", "The field is required.")}
	case !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }):
		return []httpapi.FieldError{httpapi.Field(field, field+".invalid", "Textul conține caractere nepermise.", "The text contains characters that are not allowed.")}
	case utf8.RuneCountInString(v) > max:
		return []httpapi.FieldError{httpapi.Field(field, field+".too_long",
			fmt.Sprintf("Cel mult %d de caractere.", max), fmt.Sprintf("At most %d characters.", max))}
	}
	return nil
}

func optionalID(field, v string) (uuid.UUID, []httpapi.FieldError) {
	if v == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return uuid.Nil, []httpapi.FieldError{httpapi.Field(field, field+".invalid", "Identificatorul nu este valid.", "Not a valid identifier.")}
	}
	return id, nil
}

// entry checks in and returns the entry to register in institution. The
// direction defaults to the register's kind, the channel to the counter.
func (in entryInput) entry(institution uuid.UUID, reg registry.Register) (registry.Entry, []httpapi.FieldError) {
	e := registry.Entry{Institution: institution, Register: reg.ID, Direction: in.Direction, Channel: in.Channel,
		Sender: strings.TrimSpace(in.Sender), Recipient: strings.TrimSpace(in.Recipient), Subject: strings.TrimSpace(in.Subject),
		Pages: in.Pages, Attachments: in.Attachments, Confidentiality: in.Confidentiality}
	if e.Direction == "" {
		e.Direction = "incoming"
		if reg.Kind == "outgoing" || reg.Kind == "internal" {
			e.Direction = reg.Kind
		}
	}
	if e.Channel == "" {
		e.Channel = "counter"
	}
	if e.Confidentiality == "" {
		e.Confidentiality = "public"
	}
	var errs []httpapi.FieldError
	if !oneOf(e.Direction, directions) {
		errs = append(errs, httpapi.Field("direction", "direction.invalid", "Direcția este intrare, ieșire sau internă.", "The direction is incoming, outgoing or internal."))
	}
	if !oneOf(e.Channel, channels) {
		errs = append(errs, httpapi.Field("channel", "channel.invalid", "Canalul nu este cunoscut.", "Unknown channel."))
	}
	if !oneOf(e.Confidentiality, confidentialites) {
		errs = append(errs, httpapi.Field("confidentiality", "confidentiality.invalid",
			"Confidențialitatea este public, intern sau confidențial.", "The confidentiality is public, internal or confidential."))
	}
	errs = append(errs, text("subject", e.Subject, 2000, true)...)
	errs = append(errs, text("sender", e.Sender, 500, e.Direction == "incoming")...)
	errs = append(errs, text("recipient", e.Recipient, 500, e.Direction == "outgoing")...)
	if e.Pages < 0 || e.Pages > 100000 {
		errs = append(errs, httpapi.Field("pages", "pages.invalid", "Numărul de file este între 0 și 100000.", "The number of pages is from 0 to 100000."))
	}
	if e.Attachments < 0 || e.Attachments > 100000 {
		errs = append(errs, httpapi.Field("attachments", "attachments.invalid", "Numărul de anexe este între 0 și 100000.", "The number of attachments is from 0 to 100000."))
	}
	var fe []httpapi.FieldError
	e.AnswersEntry, fe = optionalID("answersEntryId", in.AnswersEntryID)
	errs = append(errs, fe...)
	e.File, fe = optionalID("fileId", in.FileID)
	errs = append(errs, fe...)
	if len(in.Documents) > maxFilesPerRegistration {
		errs = append(errs, httpapi.Field("documents", "documents.too_many",
			fmt.Sprintf("Cel mult %d de documente.", maxFilesPerRegistration), fmt.Sprintf("At most %d documents.", maxFilesPerRegistration)))
	}
	for i, d := range in.Documents {
		errs = append(errs, text("documents["+strconv.Itoa(i)+"].title", d.Title, 500, false)...)
	}
	return e, errs
}

// attachment is an uploaded file waiting to become a document of the entry.
type attachment struct {
	title string
	file  documents.Uploaded
}

// registration is everything a registration needs once its files are
// stored: it runs in one short transaction.
type registration struct {
	entry registry.Entry
	files []attachment
	by    actor
	// received is the event it answers, nil for the counter.
	received  *receivedRef
	reference string
}

type receivedRef struct{ id, source string }

// registered is what a registration produced.
type registered struct {
	entry    registry.Entry
	register registry.Register
	docs     []documents.Filed
	event    int64
}

// register records reg in tx: the documents first (their foreign key to
// the entry is checked at commit), then the number, as late as possible,
// then the audit row and the event. From the counter's increment to the
// commit every other registration in the register-year waits, so as little
// as possible happens after it.
func (s *server) register(ctx context.Context, tx pgx.Tx, reg registration, register registry.Register) (registered, error) {
	e := reg.entry
	var err error
	if e.ID, err = uuid.NewV7(); err != nil {
		return registered{}, err
	}
	out := registered{register: register}
	var texts []string
	for _, a := range reg.files {
		if a.file.Text != "" {
			texts = append(texts, a.file.Text)
		}
		d, err := documents.Create(ctx, tx, documents.Document{Institution: e.Institution, Entry: e.ID, Title: a.title, CreatedBy: reg.by.id})
		if err != nil {
			return registered{}, err
		}
		v, err := documents.Attach(ctx, tx, d.ID, a.file, reg.by.id)
		if err != nil {
			return registered{}, err
		}
		out.docs = append(out.docs, documents.Filed{Document: d, Versions: []documents.Version{v}})
	}
	if e.ContentSearch, err = registry.ContentVector(ctx, tx, strings.Join(texts, "\n")); err != nil {
		return registered{}, err
	}
	if out.entry, err = registry.Record(ctx, tx, e, time.Time{}); err != nil {
		return registered{}, err
	}
	if err := s.audit(ctx, tx, reg.by, e.Institution, "registry.register", "registry_entry", out.entry.ID, nil,
		entryView(out.entry, register, out.docs), ""); err != nil {
		return registered{}, err
	}
	data := registeredData{EntryID: out.entry.ID, RegisterID: register.ID, RegisterCode: register.Code, Year: out.entry.Year,
		Number: out.entry.Number, RegisteredAt: out.entry.RegisteredAt, Direction: out.entry.Direction, Channel: out.entry.Channel,
		Subject: out.entry.Subject, Confidentiality: out.entry.Confidentiality, VerificationCode: out.entry.VerificationCode,
		AnswersEntryID: idOrNull(out.entry.AnswersEntry), PartyAccountID: idOrNull(out.entry.Party), Reference: reg.reference,
		Documents: []registeredDocument{}}
	if reg.received != nil {
		data.ReceivedEventID, data.ReceivedEventSource = &reg.received.id, &reg.received.source
	}
	for _, d := range out.docs {
		v := d.Versions[0]
		data.Documents = append(data.Documents, registeredDocument{DocumentID: d.ID, Title: d.Title, SHA256: v.SHA256, Size: v.Size, MediaType: v.MediaType})
	}
	if out.event, err = s.emit(ctx, tx, events.TypeDocumentRegistered, e.Institution, data); err != nil {
		return registered{}, err
	}
	return out, nil
}

// registerRetrying runs a registration, again if the year turned while it
// waited for its number (the number is given back by the rollback).
//
// first, when given, runs before anything else and may say the request was
// handled before (an event's inbox, an Idempotency-Key); then, when given,
// runs after the registration in the same transaction.
func (s *server) registerRetrying(ctx context.Context, scope db.Scope, reg registration, register registry.Register,
	first func(tx pgx.Tx) (bool, error), then func(tx pgx.Tx, out registered) error) (registered, bool, error) {
	for {
		var out registered
		applied := false
		err := db.ScopedTx(ctx, s.pool, scope, func(tx pgx.Tx) error {
			if first != nil {
				ok, err := first(tx)
				if err != nil || !ok {
					return err
				}
			}
			var err error
			if out, err = s.register(ctx, tx, reg, register); err != nil {
				return err
			}
			if then != nil {
				if err := then(tx, out); err != nil {
					return err
				}
			}
			applied = true
			return nil
		})
		if errors.Is(err, registry.ErrYearChanged) {
			continue
		}
		return out, applied, err
	}
}

type registeredDocument struct {
	DocumentID uuid.UUID `json:"documentId"`
	Title      string    `json:"title"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	MediaType  string    `json:"mediaType"`
}

// registeredData is the data of ro.ghiseu.document.registered.
type registeredData struct {
	EntryID             uuid.UUID            `json:"entryId"`
	RegisterID          uuid.UUID            `json:"registerId"`
	RegisterCode        string               `json:"registerCode"`
	Year                int                  `json:"year"`
	Number              int64                `json:"number"`
	RegisteredAt        time.Time            `json:"registeredAt"`
	Direction           string               `json:"direction"`
	Channel             string               `json:"channel"`
	Subject             string               `json:"subject"`
	Confidentiality     string               `json:"confidentiality"`
	VerificationCode    string               `json:"verificationCode"`
	AnswersEntryID      *uuid.UUID           `json:"answersEntryId"`
	DispatchID          *uuid.UUID           `json:"dispatchId,omitempty"`
	PartyAccountID      *uuid.UUID           `json:"partyAccountId"`
	Reference           string               `json:"reference"`
	ReceivedEventID     *string              `json:"receivedEventId"`
	ReceivedEventSource *string              `json:"receivedEventSource"`
	Documents           []registeredDocument `json:"documents"`
}

func idOrNull(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// registerEntry registers a document at the counter: application/json for
// the metadata alone, or multipart/form-data with an "entry" part (the
// JSON) first and then one "file" part per document, streamed to storage
// as they arrive.
func (s *server) registerEntry(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	p := access.FromContext(ctx)

	var in entryInput
	var parts *multipart.Reader
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		var err error
		if parts, err = r.MultipartReader(); err != nil {
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusBadRequest, Code: "malformed_multipart", Detail: err.Error()})
			return
		}
		if !httpapi.ReadJSONPart(w, parts, "entry", &in) {
			return
		}
	default:
		if !httpapi.DecodeJSON(w, r, &in) {
			return
		}
	}
	registerID, err := uuid.Parse(in.RegisterID)
	if err != nil {
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("registerId", "registerId.required", "Alegeți registrul.", "Choose the register.")})
		return
	}
	// Whether the caller may register here is known before any byte of a
	// file is stored.
	var register registry.Register
	err = access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		register, err = registry.GetRegister(ctx, tx, inst, registerID)
		return err
	})
	if err != nil {
		s.refuse(w, "register", err)
		return
	}
	if !register.MayRegister(func(d uuid.UUID) bool { return p.CanInDepartment("registry.register", inst, d) }) {
		s.refuse(w, "register", errMayNotRegister)
		return
	}
	if register.ClosedAt != nil {
		s.refuse(w, "register", registry.ErrRegisterClosed)
		return
	}
	e, errs := in.entry(inst, register)
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	e.RegisteredBy = p.Account

	var files []attachment
	if parts != nil {
		if files, err = s.uploadParts(ctx, inst, parts, in.Documents); err != nil {
			if !uploadRefusal(w, err) {
				s.refuse(w, "register: upload", err)
			}
			return
		}
	}
	e.Attachments = max(e.Attachments, len(files))
	reg := registration{entry: e, files: files, by: actorOf(ctx, r)}

	// With an Idempotency-Key, a retry (a double click, a timeout) gets the
	// first answer back instead of a second number.
	var first func(pgx.Tx) (bool, error)
	var then func(pgx.Tx, registered) error
	var replay *idempotency.Answer
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		meta, err := json.Marshal(in)
		if err != nil {
			s.refuse(w, "register", err)
			return
		}
		parts := [][]byte{meta}
		for _, f := range files {
			parts = append(parts, []byte(f.file.SHA256), []byte(f.title))
		}
		hash := idempotency.Hash(parts...)
		first = func(tx pgx.Tx) (bool, error) {
			var err error
			replay, err = idempotency.Claim(ctx, tx, p.Account, key, hash)
			return replay == nil, err
		}
		then = func(tx pgx.Tx, out registered) error {
			body, err := json.Marshal(entryView(out.entry, register, out.docs))
			if err != nil {
				return err
			}
			return idempotency.Store(ctx, tx, p.Account, key, idempotency.Answer{Status: http.StatusCreated, Body: body})
		}
	}
	out, applied, err := s.registerRetrying(ctx, access.ScopeFromContext(ctx), reg, register, first, then)
	switch {
	case idempotency.WriteProblem(w, err):
		return
	case err != nil:
		s.refuse(w, "register", err)
		return
	case !applied && replay != nil:
		var v entryJSON
		if err := json.Unmarshal(replay.Body, &v); err != nil {
			s.refuse(w, "register: replay", err)
			return
		}
		w.Header().Set("Location", entryPath(registry.Entry{Institution: inst, ID: v.ID}))
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, v.Revision))
		w.Header().Set("Idempotent-Replayed", "true")
		httpapi.WriteJSON(w, replay.Status, v)
		return
	}
	s.outbox.Publish(ctx, out.event)
	w.Header().Set("Location", entryPath(out.entry))
	w.Header().Set("ETag", entryETag(out.entry))
	httpapi.WriteJSON(w, http.StatusCreated, entryView(out.entry, register, out.docs))
}

// uploadParts streams every "file" part to storage, in order, and names
// each with its title (or its file name).
func (s *server) uploadParts(ctx context.Context, inst uuid.UUID, parts *multipart.Reader, titles []documentTitle) ([]attachment, error) {
	files, err := s.streamParts(ctx, inst, parts, titles)
	if err != nil && len(files) > 0 {
		// A refused registration stores nothing: what its earlier files
		// stored goes (a failed delete is left to the fixity job's orphans).
		stored := make([]documents.Uploaded, len(files))
		for i, f := range files {
			stored[i] = f.file
		}
		_ = s.docs.Discard(context.WithoutCancel(ctx), stored)
	}
	if err != nil {
		return nil, err
	}
	return files, nil
}

// streamParts is uploadParts without the discarding: it returns what it
// stored with its error.
func (s *server) streamParts(ctx context.Context, inst uuid.UUID, parts *multipart.Reader, titles []documentTitle) ([]attachment, error) {
	var files []attachment
	for {
		part, err := parts.NextPart()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return files, fmt.Errorf("%w: %w", httpapi.ErrTruncated, err)
		}
		if part.FormName() != "file" {
			return files, invalid{httpapi.Field(part.FormName(), "part.unexpected", "Parte neașteptată în cerere.", "Unexpected part in the request: only \"file\" parts follow the entry.")}
		}
		if len(files) == maxFilesPerRegistration {
			return files, invalid{httpapi.Field("file", "file.too_many",
				fmt.Sprintf("Cel mult %d de fișiere.", maxFilesPerRegistration), fmt.Sprintf("At most %d files.", maxFilesPerRegistration))}
		}
		var body io.Reader = &httpapi.TruncationReader{R: part}
		sized := &documents.SizeChecker{R: body}
		if i := len(files); i < len(titles) && titles[i].Size > 0 {
			sized.Declared = titles[i].Size
			body = sized
		}
		up, err := s.docs.Upload(ctx, inst, body, httpapi.DeclaredFileName(part))
		if sized.Mismatch() {
			// Refused while streaming: nothing of this file is stored.
			field := fmt.Sprintf("documents[%d]", len(files))
			return files, invalid{httpapi.Field(field, "file.size_mismatch", "Fișierul trimis nu are dimensiunea declarată: trimiteți-l din nou.",
				fmt.Sprintf("The file sent is not of the declared size (%d bytes).", sized.Declared))}
		}
		if err != nil {
			return files, err
		}
		title := up.OriginalName
		if i := len(files); i < len(titles) && strings.TrimSpace(titles[i].Title) != "" {
			title = strings.TrimSpace(titles[i].Title)
		}
		files = append(files, attachment{title: title, file: up})
	}
}

func entryPath(e registry.Entry) string {
	return "/api/institutions/" + e.Institution.String() + "/registry-entries/" + e.ID.String()
}

// entryETag changes with every correction and with the annulment.
func entryETag(e registry.Entry) string {
	if e.AnnulledAt != nil {
		return fmt.Sprintf(`"%d-a"`, e.Revision)
	}
	return fmt.Sprintf(`"%d"`, e.Revision)
}

// loadEntry reads an entry the caller may see, with its register.
func loadEntry(ctx context.Context, tx pgx.Tx, inst, id uuid.UUID) (registry.Entry, registry.Register, error) {
	e, err := registry.Get(ctx, tx, inst, id)
	if err != nil {
		return registry.Entry{}, registry.Register{}, err
	}
	if !mayView(access.FromContext(ctx), e) {
		return registry.Entry{}, registry.Register{}, errHidden
	}
	reg, err := registry.GetRegister(ctx, tx, inst, e.Register)
	if err != nil {
		return registry.Entry{}, registry.Register{}, err
	}
	return e, reg, nil
}

func (s *server) getEntry(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "entry")
	if !ok {
		return
	}
	var view entryJSON
	var e registry.Entry
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var reg registry.Register
		var err error
		if e, reg, err = loadEntry(ctx, tx, inst, id); err != nil {
			return err
		}
		docs, err := documents.OfEntry(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		view = entryView(e, reg, docs)
		revs, err := registry.Revisions(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		view.Revisions = []revisionJSON{}
		for _, v := range revs {
			view.Revisions = append(view.Revisions, revisionJSON{Revision: v.Revision, ChangedAt: v.ChangedAt,
				ChangedBy: idOrNull(v.ChangedBy), Reason: v.Reason, Before: v.Before, After: v.After})
		}
		links, err := registry.Links(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		ds, err := registry.Dispatches(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		view.Links, view.Dispatches = linksView(links), dispatchesView(ds)
		return nil
	})
	if err != nil {
		s.refuse(w, "get entry", err)
		return
	}
	w.Header().Set("ETag", entryETag(e))
	httpapi.WriteJSON(w, http.StatusOK, view)
}

// correctionInput is a correction of an entry's metadata; absent fields
// stay as they are, null links are removed.
type correctionInput struct {
	Reason          string           `json:"reason"`
	Sender          *string          `json:"sender"`
	Recipient       *string          `json:"recipient"`
	Subject         *string          `json:"subject"`
	Pages           *int             `json:"pages"`
	Attachments     *int             `json:"attachments"`
	Confidentiality *string          `json:"confidentiality"`
	AnswersEntryID  optionalUUIDJSON `json:"answersEntryId"`
	FileID          optionalUUIDJSON `json:"fileId"`
}

// optionalUUIDJSON tells an absent field (Set false) from null (Set, Nil).
type optionalUUIDJSON struct {
	Set   bool
	Value uuid.UUID
}

func (o *optionalUUIDJSON) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

func (in correctionInput) correction() (registry.Correction, []httpapi.FieldError) {
	c := registry.Correction{Sender: in.Sender, Recipient: in.Recipient, Subject: in.Subject, Pages: in.Pages,
		Attachments: in.Attachments, Confidentiality: in.Confidentiality}
	errs := text("reason", in.Reason, 1000, true)
	if in.Sender != nil {
		errs = append(errs, text("sender", *in.Sender, 500, false)...)
	}
	if in.Recipient != nil {
		errs = append(errs, text("recipient", *in.Recipient, 500, false)...)
	}
	if in.Subject != nil {
		errs = append(errs, text("subject", *in.Subject, 2000, true)...)
	}
	if in.Pages != nil && (*in.Pages < 0 || *in.Pages > 100000) {
		errs = append(errs, httpapi.Field("pages", "pages.invalid", "Numărul de file este între 0 și 100000.", "The number of pages is from 0 to 100000."))
	}
	if in.Attachments != nil && (*in.Attachments < 0 || *in.Attachments > 100000) {
		errs = append(errs, httpapi.Field("attachments", "attachments.invalid", "Numărul de anexe este între 0 și 100000.", "The number of attachments is from 0 to 100000."))
	}
	if in.Confidentiality != nil && !oneOf(*in.Confidentiality, confidentialites) {
		errs = append(errs, httpapi.Field("confidentiality", "confidentiality.invalid",
			"Confidențialitatea este public, intern sau confidențial.", "The confidentiality is public, internal or confidential."))
	}
	if in.AnswersEntryID.Set {
		c.AnswersEntry = &in.AnswersEntryID.Value
	}
	if in.FileID.Set {
		c.File = &in.FileID.Value
	}
	return c, errs
}

// correctEntry corrects an entry's metadata as a new revision, with a
// reason; the number, register, date and direction never change.
func (s *server) correctEntry(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "entry")
	if !ok {
		return
	}
	ifMatch, ok := httpapi.RequireIfMatch(w, r)
	if !ok {
		return
	}
	var in correctionInput
	if !httpapi.DecodeJSON(w, r, &in) {
		return
	}
	c, errs := in.correction()
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	p := access.FromContext(ctx)
	by := actorOf(ctx, r)
	var view entryJSON
	var after registry.Entry
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, reg, err := loadEntry(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		if !httpapi.IfMatch(ifMatch, entryETag(cur)) {
			return errStale
		}
		before, a, err := registry.Correct(ctx, tx, inst, id, cur.Revision, p.Account, strings.TrimSpace(in.Reason), c)
		if err != nil {
			return err
		}
		after = a
		if a.Revision != before.Revision {
			if err := s.audit(ctx, tx, by, inst, "registry.correct", "registry_entry", id,
				entryView(before, reg, nil), entryView(a, reg, nil), strings.TrimSpace(in.Reason)); err != nil {
				return err
			}
		}
		docs, err := documents.OfEntry(ctx, tx, inst, id)
		view = entryView(a, reg, docs)
		return err
	})
	if err != nil {
		s.refuse(w, "correct entry", err)
		return
	}
	w.Header().Set("ETag", entryETag(after))
	httpapi.WriteJSON(w, http.StatusOK, view)
}

type annulInput struct {
	Reason string `json:"reason"`
}

// annulEntry annuls an entry with a reason; it keeps its number.
func (s *server) annulEntry(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "entry")
	if !ok {
		return
	}
	var in annulInput
	if !httpapi.DecodeJSON(w, r, &in) {
		return
	}
	reason := strings.TrimSpace(in.Reason)
	if errs := text("reason", reason, 1000, true); len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	p := access.FromContext(ctx)
	by := actorOf(ctx, r)
	var view entryJSON
	var annulled registry.Entry
	var event int64
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, reg, err := loadEntry(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		// A holder of registry.annul annuls any entry; a registrar, only
		// their own, within the institution's short window.
		if p.Can("registry.annul", inst) {
			annulled, err = registry.Annul(ctx, tx, inst, id, p.Account, reason)
		} else {
			annulled, err = registry.AnnulOwn(ctx, tx, inst, id, p.Account, reason, time.Now())
		}
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, by, inst, "registry.annul", "registry_entry", id,
			entryView(cur, reg, nil), entryView(annulled, reg, nil), reason); err != nil {
			return err
		}
		if event, err = s.emit(ctx, tx, events.TypeDocumentAnnulled, inst, annulledData{EntryID: id, RegisterID: reg.ID,
			Year: annulled.Year, Number: annulled.Number, Reason: reason, By: p.Account}); err != nil {
			return err
		}
		docs, err := documents.OfEntry(ctx, tx, inst, id)
		view = entryView(annulled, reg, docs)
		return err
	})
	if err != nil {
		s.refuse(w, "annul entry", err)
		return
	}
	s.outbox.Publish(ctx, event)
	w.Header().Set("ETag", entryETag(annulled))
	httpapi.WriteJSON(w, http.StatusOK, view)
}

// annulledData is the data of ro.ghiseu.document.annulled.
type annulledData struct {
	EntryID    uuid.UUID `json:"entryId"`
	RegisterID uuid.UUID `json:"registerId"`
	Year       int       `json:"year"`
	Number     int64     `json:"number"`
	Reason     string    `json:"reason"`
	By         uuid.UUID `json:"by"`
}
