package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/forms"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

// Bounds of a request type, beside those the table keeps.
const (
	maxNameRunes        = 200
	maxDescriptionRunes = 5000
	maxAttachmentKinds  = 20
	maxTitleRunes       = 200
	maxCustomDays       = 365
)

var (
	// typeCode is the table's check: a short slug, part of URLs and logs.
	typeCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	// attachmentKind names a kind within a type ("plan-situatie",
	// "extras_cf"); submissions declare their files by it.
	attachmentKind = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
)

// attachmentMediaTypes are the types an attachment kind may accept: the
// allow-list of package documents (see documents.Sniff), which decides what
// a stored file is from its bytes.
var attachmentMediaTypes = []string{documents.TypePDF, documents.TypePNG, documents.TypeJPEG, documents.TypeTIFF,
	documents.TypeDOCX, documents.TypeXLSX, documents.TypeODT, documents.TypeText}

var regimes = []string{requesttypes.Petition, requesttypes.PublicInformation, requesttypes.Custom}

// versionInput is the content of a version, as an administrator sends it
// for a new type, a new draft or a changed draft.
type versionInput struct {
	Name             string                    `json:"name"`
	Description      string                    `json:"description"`
	Form             json.RawMessage           `json:"form"`
	Attachments      []requesttypes.Attachment `json:"attachments"`
	DepartmentID     *string                   `json:"departmentId"`
	Regime           string                    `json:"regime"`
	CustomDays       *int                      `json:"customDays"`
	WorkingDays      bool                      `json:"workingDays"`
	RegisterID       *string                   `json:"registerId"`
	VerifiedIdentity *bool                     `json:"verifiedIdentity"`
}

// createInput is a new type with its first draft.
type createInput struct {
	Code string `json:"code"`
	versionInput
}

func (in createInput) check(institution uuid.UUID, maxFileSize int64) (requesttypes.Version, []httpapi.FieldError) {
	var errs []httpapi.FieldError
	if !typeCode.MatchString(in.Code) {
		errs = append(errs, httpapi.Field("code", "code.invalid",
			"Codul are 1-63 de caractere: litere mici fără diacritice, cifre sau cratimă, începând cu o literă sau o cifră (de exemplu certificat-urbanism).",
			"The code has 1 to 63 characters: lower-case letters without diacritics, digits or hyphens, starting with a letter or a digit (for example certificat-urbanism)."))
	}
	v, more := in.versionInput.check(institution, maxFileSize)
	return v, append(errs, more...)
}

// check validates the input and makes the version it describes.
func (in versionInput) check(institution uuid.UUID, maxFileSize int64) (requesttypes.Version, []httpapi.FieldError) {
	v := requesttypes.Version{Institution: institution, Name: strings.TrimSpace(in.Name),
		Description: strings.TrimSpace(in.Description), Regime: in.Regime, WorkingDays: in.WorkingDays, VerifiedIdentity: true}
	for _, k := range in.Attachments {
		k.Title = strings.TrimSpace(k.Title)
		v.Attachments = append(v.Attachments, k)
	}
	var errs []httpapi.FieldError
	if n := utf8.RuneCountInString(v.Name); n == 0 || n > maxNameRunes || strings.ContainsFunc(v.Name, unicode.IsControl) {
		errs = append(errs, httpapi.Field("name", "name.invalid",
			"Completați denumirea tipului de cerere, pe un rând (cel mult 200 de caractere).",
			"Give the request type's name, on one line (at most 200 characters)."))
	}
	if utf8.RuneCountInString(v.Description) > maxDescriptionRunes {
		errs = append(errs, httpapi.Field("description", "description.too_long",
			"Descrierea are cel mult 5000 de caractere.", "The description has at most 5000 characters."))
	}
	form, formErrs := formErrors(in.Form)
	v.Form = form
	errs = append(errs, formErrs...)
	errs = append(errs, attachmentErrors(in.Attachments, maxFileSize)...)
	var idErrs []httpapi.FieldError
	v.Department, idErrs = idField("departmentId", in.DepartmentID,
		"Alegeți compartimentul competent.", "Choose the competent department.")
	errs = append(errs, idErrs...)
	v.Register, idErrs = idField("registerId", in.RegisterID,
		"Alegeți registrul în care se înregistrează cererile.", "Choose the register the requests are registered in.")
	errs = append(errs, idErrs...)
	errs = append(errs, regimeErrors(in)...)
	if in.Regime == requesttypes.Custom && in.CustomDays != nil {
		v.CustomDays = *in.CustomDays
	}
	if in.VerifiedIdentity != nil {
		v.VerifiedIdentity = *in.VerifiedIdentity
	}
	return v, errs
}

// formErrors compiles the form as package forms would for a submission: a
// form it cannot build is refused here, with its reason.
func formErrors(form json.RawMessage) (json.RawMessage, []httpapi.FieldError) {
	trimmed := bytes.TrimSpace(form)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return nil, []httpapi.FieldError{httpapi.Field("form", "form.required",
			"Completați formularul (o schemă JSON).", "Give the form (a JSON Schema).")}
	}
	if _, err := forms.Compile(trimmed); err != nil {
		return nil, []httpapi.FieldError{httpapi.Field("form", "form.invalid",
			"Formularul nu poate fi folosit: "+err.Error(), "The form cannot be used: "+err.Error())}
	}
	return trimmed, nil
}

func attachmentErrors(kinds []requesttypes.Attachment, maxFileSize int64) []httpapi.FieldError {
	var errs []httpapi.FieldError
	if len(kinds) > maxAttachmentKinds {
		return []httpapi.FieldError{httpapi.Field("attachments", "attachments.too_many",
			fmt.Sprintf("Cel mult %d tipuri de documente atașate.", maxAttachmentKinds),
			fmt.Sprintf("At most %d kinds of attachments.", maxAttachmentKinds))}
	}
	seen := map[string]bool{}
	for i, k := range kinds {
		field := "attachments[" + strconv.Itoa(i) + "]"
		switch {
		case !attachmentKind.MatchString(k.Kind):
			errs = append(errs, httpapi.Field(field+".kind", "attachments[].kind.invalid",
				"Codul documentului are 1-63 de caractere: litere mici fără diacritice, cifre, „-” sau „_” (de exemplu extras-cf).",
				"The attachment's kind has 1 to 63 characters: lower-case letters without diacritics, digits, '-' or '_' (for example extras-cf)."))
		case seen[k.Kind]:
			errs = append(errs, httpapi.Field(field+".kind", "attachments[].kind.duplicate",
				"Codul documentului „"+k.Kind+"” apare de două ori.", "The kind \""+k.Kind+"\" is listed twice."))
		}
		seen[k.Kind] = true
		title := strings.TrimSpace(k.Title)
		if n := utf8.RuneCountInString(title); n == 0 || n > maxTitleRunes || strings.ContainsFunc(title, unicode.IsControl) {
			errs = append(errs, httpapi.Field(field+".title", "attachments[].title.invalid",
				"Completați denumirea documentului, pe un rând (cel mult 200 de caractere).",
				"Give the attachment's title, on one line (at most 200 characters)."))
		}
		if !mediaTypesOK(k.MediaTypes) {
			errs = append(errs, httpapi.Field(field+".mediaTypes", "attachments[].mediaTypes.invalid",
				"Alegeți formatele acceptate, fiecare o singură dată, dintre: "+strings.Join(attachmentMediaTypes, ", ")+".",
				"Choose the accepted formats, each once, from: "+strings.Join(attachmentMediaTypes, ", ")+"."))
		}
		if k.MaxSize <= 0 || k.MaxSize > maxFileSize {
			errs = append(errs, httpapi.Field(field+".maxSize", "attachments[].maxSize.invalid",
				fmt.Sprintf("Dimensiunea maximă este între 1 și %d octeți (%d MiB).", maxFileSize, maxFileSize>>20),
				fmt.Sprintf("The largest size is from 1 to %d bytes (%d MiB).", maxFileSize, maxFileSize>>20)))
		}
	}
	return errs
}

func mediaTypesOK(types []string) bool {
	if len(types) == 0 {
		return false
	}
	for i, t := range types {
		if !slices.Contains(attachmentMediaTypes, t) || slices.Contains(types[:i], t) {
			return false
		}
	}
	return true
}

// idField reads a required id of the body.
func idField(field string, value *string, missingRo, missingEn string) (uuid.UUID, []httpapi.FieldError) {
	if value == nil || *value == "" {
		return uuid.Nil, []httpapi.FieldError{httpapi.Field(field, field+".required", missingRo, missingEn)}
	}
	id, err := uuid.Parse(*value)
	if err != nil {
		return uuid.Nil, []httpapi.FieldError{httpapi.Field(field, field+".invalid",
			"Valoarea nu este un identificator valid.", "The value is not a valid id.")}
	}
	return id, nil
}

// regimeErrors checks the deadline's regime: OG 27/2002 and Law 544/2001
// set their own terms in calendar days; a custom term needs its days.
func regimeErrors(in versionInput) []httpapi.FieldError {
	if !slices.Contains(regimes, in.Regime) {
		return []httpapi.FieldError{httpapi.Field("regime", "regime.invalid",
			"Regimul termenului este petition (OG 27/2002), public_information (Legea 544/2001) sau custom.",
			"The deadline's regime is petition (OG 27/2002), public_information (Law 544/2001) or custom.")}
	}
	var errs []httpapi.FieldError
	switch {
	case in.Regime == requesttypes.Custom && (in.CustomDays == nil || *in.CustomDays < 1 || *in.CustomDays > maxCustomDays):
		errs = append(errs, httpapi.Field("customDays", "customDays.invalid",
			"Termenul are între 1 și 365 de zile.", "The term is from 1 to 365 days."))
	case in.Regime != requesttypes.Custom && in.CustomDays != nil:
		errs = append(errs, httpapi.Field("customDays", "customDays.not_allowed",
			"Termenul îl stabilește legea: lăsați numărul de zile necompletat.", "The law sets the term: leave the number of days out."))
	}
	if in.Regime != requesttypes.Custom && in.WorkingDays {
		errs = append(errs, httpapi.Field("workingDays", "workingDays.not_allowed",
			"OG 27/2002 și Legea 544/2001 socotesc termenul în zile calendaristice.",
			"OG 27/2002 and Law 544/2001 count the term in calendar days."))
	}
	return errs
}

// departmentRef names the competent department.
type departmentRef struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// versionJSON is a version as the API shows it: what is stored, with the
// form's fields described for a client to build the form, and the term in
// days.
type versionJSON struct {
	ID               uuid.UUID                 `json:"id"`
	Code             string                    `json:"code"`
	Version          int                       `json:"version"`
	Status           string                    `json:"status"`
	Name             string                    `json:"name"`
	Description      string                    `json:"description"`
	Form             json.RawMessage           `json:"form"`
	Fields           []forms.Field             `json:"fields"`
	Attachments      []requesttypes.Attachment `json:"attachments"`
	Department       departmentRef             `json:"department"`
	Regime           string                    `json:"regime"`
	CustomDays       *int                      `json:"customDays"`
	WorkingDays      bool                      `json:"workingDays"`
	DeadlineDays     int                       `json:"deadlineDays"`
	VerifiedIdentity bool                      `json:"verifiedIdentity"`
	RegisterID       uuid.UUID                 `json:"registerId"`
	CreatedAt        time.Time                 `json:"createdAt"`
	PublishedAt      *time.Time                `json:"publishedAt"`
}

// Statuses of a version.
const (
	statusDraft     = "draft"
	statusPublished = "published"
)

// toView shows v without its fields (see withFields); departments names
// the institution's departments.
func toView(v requesttypes.Version, departments map[uuid.UUID]string) versionJSON {
	out := versionJSON{ID: v.Type, Code: v.Code, Version: v.Version, Status: statusDraft, Name: v.Name, Description: v.Description,
		Form: v.Form, Fields: []forms.Field{}, Attachments: v.Attachments, Department: departmentRef{ID: v.Department, Name: departments[v.Department]},
		Regime: v.Regime, WorkingDays: v.WorkingDays, VerifiedIdentity: v.VerifiedIdentity, RegisterID: v.Register,
		CreatedAt: v.CreatedAt, PublishedAt: v.PublishedAt}
	if v.PublishedAt != nil {
		out.Status = statusPublished
	}
	if out.Attachments == nil {
		out.Attachments = []requesttypes.Attachment{}
	}
	switch v.Regime {
	case requesttypes.Petition:
		out.DeadlineDays = deadlines.PetitionDays
	case requesttypes.PublicInformation:
		out.DeadlineDays = deadlines.PublicInformationDays
	case requesttypes.Custom:
		days := v.CustomDays
		out.CustomDays, out.DeadlineDays = &days, days
	}
	return out
}

// withFields describes the form's fields. It fails for a stored form that
// no longer compiles (package forms grew stricter since it was checked).
func withFields(out *versionJSON) error {
	form, err := forms.Compile(out.Form)
	if err != nil {
		return err
	}
	out.Fields = form.Fields()
	return nil
}

// location is a version's URL.
func location(v versionJSON, institution uuid.UUID) string {
	return fmt.Sprintf("/api/institutions/%s/request-types/%s/versions/%d", institution, v.ID, v.Version)
}

// content is what a version says, as stored: its entity tag and the audit
// trail cover it, and nothing derived (the fields, the department's name,
// the term in days).
type content struct {
	Code             string                    `json:"code"`
	Version          int                       `json:"version"`
	Published        bool                      `json:"published"`
	Name             string                    `json:"name"`
	Description      string                    `json:"description"`
	Form             json.RawMessage           `json:"form"`
	Attachments      []requesttypes.Attachment `json:"attachments"`
	DepartmentID     uuid.UUID                 `json:"departmentId"`
	Regime           string                    `json:"regime"`
	CustomDays       *int                      `json:"customDays"`
	WorkingDays      bool                      `json:"workingDays"`
	RegisterID       uuid.UUID                 `json:"registerId"`
	VerifiedIdentity bool                      `json:"verifiedIdentity"`
}

func contentOf(v versionJSON) content {
	return content{Code: v.Code, Version: v.Version, Published: v.Status == statusPublished, Name: v.Name,
		Description: v.Description, Form: v.Form, Attachments: v.Attachments, DepartmentID: v.Department.ID, Regime: v.Regime,
		CustomDays: v.CustomDays, WorkingDays: v.WorkingDays, RegisterID: v.RegisterID, VerifiedIdentity: v.VerifiedIdentity}
}

// etag is a strong tag of a version's content. Versions have no revision
// counter; the content is small, and encoding/json compacts the form, so
// the tag is the same whether the version was read from the database or
// from a stored idempotent answer.
func etag(v versionJSON) string {
	b, _ := json.Marshal(struct {
		ID uuid.UUID `json:"id"`
		content
	}{v.ID, contentOf(v)})
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// typeJSON is a request type, apart from its versions.
type typeJSON struct {
	ID          uuid.UUID  `json:"id"`
	Code        string     `json:"code"`
	CreatedAt   time.Time  `json:"createdAt"`
	WithdrawnAt *time.Time `json:"withdrawnAt"`
}

func typeView(t requesttypes.Type) typeJSON {
	return typeJSON{ID: t.ID, Code: t.Code, CreatedAt: t.CreatedAt, WithdrawnAt: t.WithdrawnAt}
}

// typeVersionsJSON is a type with all its versions, the newest first.
type typeVersionsJSON struct {
	typeJSON
	Versions []versionJSON `json:"versions"`
}

// summaryJSON is a type as its administrators list it: the newest
// version's name and where its versions stand.
type summaryJSON struct {
	typeJSON
	Name             string     `json:"name"`
	PublishedVersion *int       `json:"publishedVersion"`
	PublishedAt      *time.Time `json:"publishedAt"`
	DraftVersion     *int       `json:"draftVersion"`
	Versions         int        `json:"versions"`
}

func summaryView(s requesttypes.Summary) summaryJSON {
	out := summaryJSON{typeJSON: typeView(s.Type), Name: s.Name, PublishedAt: s.PublishedAt, Versions: s.Versions}
	if s.Published > 0 {
		out.PublishedVersion = &s.Published
	}
	if s.Draft > 0 {
		out.DraftVersion = &s.Draft
	}
	return out
}
