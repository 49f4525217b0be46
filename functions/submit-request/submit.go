package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/forms"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/idempotency"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

// maxFiles bounds the files of one submission or answer.
const maxFiles = 20

// submission is what a citizen sends: the form data and, before any byte
// of a file, the list of the files that follow, so that everything that
// can be refused is refused before anything is stored.
type submission struct {
	TypeID      string          `json:"typeId"`
	TypeVersion int             `json:"typeVersion"`
	Data        json.RawMessage `json:"data"`
	Attachments []declaredFile  `json:"attachments"`
}

// declaredFile announces a file part: its attachment kind, name and size.
type declaredFile struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Name  string `json:"name"`
	Size  int64  `json:"size"`
}

// applicant is what the submission needs to know of the caller's account.
type applicant struct {
	name     string
	verified bool // a CNP or a CUI
	// seen is what the department handling the request will see of who
	// applied (kept with the request, sealed).
	seen requests.Applicant
}

// submit takes a request: application/json when it has no files, or
// multipart/form-data with a "request" part (the JSON) first and then one
// "file" part per declared attachment, in order, streamed to storage.
func (s *server) submit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	p := access.FromContext(ctx)

	var in submission
	var parts *multipart.Reader
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		var err error
		if parts, err = r.MultipartReader(); err != nil {
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusBadRequest, Code: "malformed_multipart", Detail: err.Error()})
			return
		}
		if !httpapi.ReadJSONPart(w, parts, "request", &in) {
			return
		}
	} else if !httpapi.DecodeJSON(w, r, &in) {
		return
	}
	if parts == nil && len(in.Attachments) > 0 {
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusBadRequest, Code: "files_expected",
			Detail: `attachments are declared: send multipart/form-data with the "request" part and then one "file" part each`})
		return
	}
	typeID, err := uuid.Parse(in.TypeID)
	if err != nil {
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("typeId", "typeId.required", "Alegeți tipul cererii.", "Choose the request type.")})
		return
	}

	// What the request type asks and who the caller is, before any byte
	// of a file is stored.
	var v requesttypes.Version
	var who applicant
	err = access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if v, err = publishedVersion(ctx, tx, inst, typeID); err != nil {
			return err
		}
		who, err = readApplicant(ctx, tx, p.Account)
		return err
	})
	switch {
	case errors.Is(err, requesttypes.ErrNotFound):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("typeId", "typeId.not_found",
			"Tipul de cerere nu există sau nu mai este oferit.", "The request type does not exist or is no longer offered.")})
		return
	case err != nil:
		s.refuse(w, "submit", err)
		return
	case in.TypeVersion != 0 && in.TypeVersion != v.Version:
		s.refuse(w, "submit", errTypeChanged)
		return
	case v.VerifiedIdentity && !who.verified:
		s.refuse(w, "submit", errIdentityRequired)
		return
	}
	form, err := forms.Compile(v.Form)
	if err != nil {
		s.refuse(w, "submit: form of "+v.Code, err)
		return
	}
	if len(in.Data) == 0 {
		in.Data = json.RawMessage(`{}`)
	}
	if err := checkSubmission(form, v, in, s.docs.MaxSize); err != nil {
		s.refuse(w, "submit", err)
		return
	}

	var files []requests.File
	if parts != nil {
		if files, err = s.uploadDeclared(ctx, inst, parts, in.Attachments, func(i int) *documents.Store {
			return s.kindStore(kindOf(v, in.Attachments[i].Kind))
		}); err != nil {
			s.refuse(w, "submit: upload", err)
			return
		}
	}

	req := requests.Request{Institution: inst, ID: uuid.Must(uuid.NewV7()), Type: v.Type, TypeVersion: v.Version,
		Applicant: p.Account, Department: v.Department, Register: v.Register, Title: title(v.Name, in.Data),
		Identified: who.verified || identifiedInForm(in.Data)}
	// Identical petitions of one applicant are found by the blind index of
	// their type and form data (keys sorted: json.Marshal sorts a map's).
	var canonical any
	if err := json.Unmarshal(in.Data, &canonical); err == nil {
		if b, err := json.Marshal(canonical); err == nil {
			req.ContentIndex = s.pii.Index(requests.ContentKind, requests.CanonicalContent(v.Type, b))
		}
	}
	if req.DataSealed, err = s.pii.Seal(in.Data, sealContext(inst, req.ID)); err != nil {
		s.refuse(w, "submit: seal", err)
		return
	}
	seen, err := json.Marshal(who.seen)
	if err != nil {
		s.refuse(w, "submit: applicant", err)
		return
	}
	if req.ApplicantSealed, err = s.pii.Seal(seen, applicantSealContext(inst, req.ID)); err != nil {
		s.refuse(w, "submit: seal applicant", err)
		return
	}

	key := r.Header.Get("Idempotency-Key")
	var replay *idempotency.Answer
	var outboxIDs []int64
	var made requests.Request
	err = db.ScopedTx(ctx, s.pool, db.Scope{Institution: inst, Account: p.Account}, func(tx pgx.Tx) error {
		if key != "" {
			hashed := [][]byte{[]byte(inst.String()), []byte(in.TypeID), in.Data}
			for _, f := range files {
				hashed = append(hashed, []byte(f.Kind), []byte(f.SHA256), []byte(f.Name))
			}
			var err error
			if replay, err = idempotency.Claim(ctx, tx, p.Account, key, idempotency.Hash(hashed...)); err != nil || replay != nil {
				return err
			}
		}
		var c requests.Change
		var err error
		if made, c, err = requests.Submit(ctx, tx, req, files, actorOf(ctx)); err != nil {
			return err
		}
		if outboxIDs, err = s.record(ctx, tx, r, made, c, "request.submit"); err != nil {
			return err
		}
		id, err := s.sendToRegistry(ctx, tx, made, who, files)
		if err != nil {
			return err
		}
		outboxIDs = append(outboxIDs, id)
		if key != "" {
			body, err := json.Marshal(requests.Summarize(made, time.Now()))
			if err != nil {
				return err
			}
			return idempotency.Store(ctx, tx, p.Account, key, idempotency.Answer{Status: http.StatusCreated, Body: body})
		}
		return nil
	})
	switch {
	case idempotency.WriteProblem(w, err):
		return
	case err != nil:
		s.refuse(w, "submit", err)
		return
	case replay != nil:
		var sum requests.Summary
		if err := json.Unmarshal(replay.Body, &sum); err != nil {
			s.refuse(w, "submit: replay", err)
			return
		}
		w.Header().Set("Location", requestPath(inst, sum.ID))
		w.Header().Set("Idempotent-Replayed", "true")
		httpapi.WriteJSON(w, replay.Status, sum)
		return
	}
	s.outbox.Publish(ctx, outboxIDs...)
	w.Header().Set("Location", requestPath(inst, made.ID))
	w.Header().Set("ETag", fmt.Sprintf(`"%d"`, made.Revision))
	httpapi.WriteJSON(w, http.StatusCreated, requests.Summarize(made, time.Now()))
}

func requestPath(inst, id uuid.UUID) string {
	return requests.Path(inst, id)
}

// publishedVersion is the type's newest published version, if the type
// is still offered.
func publishedVersion(ctx context.Context, tx pgx.Tx, inst, typ uuid.UUID) (requesttypes.Version, error) {
	catalogue, err := requesttypes.Published(ctx, tx, inst)
	if err != nil {
		return requesttypes.Version{}, err
	}
	for _, v := range catalogue {
		if v.Type == typ {
			return v, nil
		}
	}
	return requesttypes.Version{}, requesttypes.ErrNotFound
}

// readApplicant reads the caller's own account (row-level security shows
// it nothing else).
func readApplicant(ctx context.Context, tx pgx.Tx, account uuid.UUID) (applicant, error) {
	var a applicant
	var cnpMasked, cui, phone *string
	err := tx.QueryRow(ctx, `SELECT display_name, cnp_index IS NOT NULL OR cui IS NOT NULL, kind, email, phone, cnp_masked, cui
		FROM account WHERE id = $1`, account).Scan(&a.name, &a.verified, &a.seen.Kind, &a.seen.Email, &phone, &cnpMasked, &cui)
	if err != nil {
		return applicant{}, fmt.Errorf("read applicant: %w", err)
	}
	a.seen.Name = a.name
	for to, from := range map[*string]*string{&a.seen.Phone: phone, &a.seen.CNPMasked: cnpMasked, &a.seen.CUI: cui} {
		if from != nil {
			*to = *from
		}
	}
	return a, nil
}

// checkSubmission refuses what can be refused before storing anything: the
// form's fields, and the declared files against the type's attachment
// kinds (unknown or missing kinds, names, sizes, formats by extension).
func checkSubmission(form *forms.Form, v requesttypes.Version, in submission, maxSize int64) error {
	var errs []httpapi.FieldError
	for _, e := range form.Validate(in.Data) {
		if e.Field == "" {
			e.Field = "data"
		} else {
			e.Field = "data." + e.Field
		}
		errs = append(errs, e)
	}
	if len(in.Attachments) > maxFiles {
		errs = append(errs, httpapi.Field("attachments", "attachments.too_many",
			fmt.Sprintf("Cel mult %d fișiere.", maxFiles), fmt.Sprintf("At most %d files.", maxFiles)))
	}
	var tooLarge, badType []httpapi.FieldError
	for i, d := range in.Attachments {
		field := fmt.Sprintf("attachments[%d]", i)
		k := kindOf(v, d.Kind)
		switch {
		case k == nil:
			errs = append(errs, httpapi.Field(field+".kind", "attachment.kind_unknown",
				"Acest tip de document nu se atașează la această cerere.", "This kind of document is not attached to this request."))
			continue
		case documents.CheckName(d.Name) != nil:
			errs = append(errs, httpapi.Field(field+".name", "file.name_invalid",
				"Numele fișierului nu este permis: trimiteți doar numele, fără cale.", "The file name is not allowed."))
		case d.Size <= 0:
			errs = append(errs, httpapi.Field(field+".size", "file.size_required",
				"Dimensiunea fișierului lipsește.", "The file's size is missing."))
		case d.Size > min(k.MaxSize, maxSize):
			tooLarge = append(tooLarge, httpapi.Field(field, "file.too_large",
				fmt.Sprintf("%s: cel mult %d MB.", k.Title, k.MaxSize>>20), fmt.Sprintf("%s: at most %d MB.", k.Title, k.MaxSize>>20)))
		case !extensionAllowed(d.Name, k.MediaTypes):
			badType = append(badType, httpapi.Field(field, "file.type_not_allowed",
				fmt.Sprintf("%s: sunt acceptate %s.", k.Title, strings.Join(k.MediaTypes, ", ")),
				fmt.Sprintf("%s: accepted are %s.", k.Title, strings.Join(k.MediaTypes, ", "))))
		}
	}
	for _, k := range v.Attachments {
		if k.Required && !slices.ContainsFunc(in.Attachments, func(d declaredFile) bool { return d.Kind == k.Kind }) {
			errs = append(errs, httpapi.Field("attachments."+k.Kind, "attachment.required",
				k.Title+": documentul este obligatoriu.", k.Title+": the document is required."))
		}
	}
	switch {
	case len(errs) > 0:
		return invalid(errs)
	case len(tooLarge) > 0:
		return &refusal{status: http.StatusRequestEntityTooLarge, code: "file_too_large", detail: "a file is larger than its kind allows", fields: tooLarge}
	case len(badType) > 0:
		return &refusal{status: http.StatusUnsupportedMediaType, code: "file_type_not_allowed", detail: "a file's format is not accepted for its kind", fields: badType}
	}
	return nil
}

func kindOf(v requesttypes.Version, kind string) *requesttypes.Attachment {
	for i := range v.Attachments {
		if v.Attachments[i].Kind == kind {
			return &v.Attachments[i]
		}
	}
	return nil
}

// extensionAllowed: a name whose extension says a type the kind does not
// take is refused at once; the bytes decide in the end.
func extensionAllowed(name string, mediaTypes []string) bool {
	byExt := mime.TypeByExtension(strings.ToLower(path.Ext(name)))
	if byExt == "" {
		return true
	}
	t, _, _ := mime.ParseMediaType(byExt)
	return slices.Contains(mediaTypes, t)
}

// kindStore is the documents store narrowed to an attachment kind.
func (s *server) kindStore(k *requesttypes.Attachment) *documents.Store {
	st := *s.docs
	if k != nil {
		st.MaxSize, st.MediaTypes = min(k.MaxSize, s.docs.MaxSize), k.MediaTypes
	}
	return &st
}

// uploadDeclared streams the "file" parts that follow, one per declared
// file, in order, each through the store storeFor gives it.
func (s *server) uploadDeclared(ctx context.Context, inst uuid.UUID, parts *multipart.Reader, declared []declaredFile,
	storeFor func(i int) *documents.Store) ([]requests.File, error) {
	ds := make([]requests.Declared, len(declared))
	for i, d := range declared {
		ds[i] = requests.Declared{Kind: d.Kind, Title: d.Title, Store: storeFor(i), Size: d.Size}
	}
	files, err := requests.UploadParts(ctx, inst, parts, ds, func(i int) string { return fmt.Sprintf("attachments[%d]", i) })
	var refused *requests.UploadError
	if errors.As(err, &refused) {
		return nil, uploadRefusal(refused.Field, refused.Err)
	}
	return files, err
}

// title is what lists show: the type's name and the subject the applicant
// gave, when the form has one.
func title(typeName string, data json.RawMessage) string {
	var fields struct {
		Subject string `json:"subject"`
	}
	_ = json.Unmarshal(data, &fields)
	t := typeName
	if s := strings.Join(strings.Fields(fields.Subject), " "); s != "" {
		t += ": " + s
	}
	if r := []rune(t); len(r) > 500 {
		t = string(r[:499]) + "…"
	}
	return t
}

// identifiedInForm: the form gives the petitioner's name and address, the
// identification OG 27/2002 art. 7 asks of a petition.
func identifiedInForm(data json.RawMessage) bool {
	var fields map[string]any
	if json.Unmarshal(data, &fields) != nil {
		return false
	}
	name, _ := fields["name"].(string)
	return strings.TrimSpace(name) != "" && fields["address"] != nil && fields["address"] != ""
}

// sendToRegistry asks register-document, through the outbox, to register
// the request with its files.
func (s *server) sendToRegistry(ctx context.Context, tx pgx.Tx, r requests.Request, who applicant, files []requests.File) (int64, error) {
	e, err := s.outbox.Catalogue().New(events.TypeDocumentReceived, Source, r.Institution, requests.Submission(r, who.name, files))
	if err != nil {
		return 0, err
	}
	return s.outbox.Add(ctx, tx, e)
}
