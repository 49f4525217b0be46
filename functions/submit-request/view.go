package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/throttle"
)

// page is a page of a list.
type page struct {
	Items []requests.Summary `json:"items"`
	Next  string             `json:"next,omitempty"`
}

// mine lists the caller's requests in every institution, newest first.
func (s *server) mine(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	limit, after, ok := pageParams(w, r)
	if !ok {
		return
	}
	var list []requests.Request
	var next *requests.Cursor
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		list, next, err = requests.Mine(ctx, tx, p.Account, after, limit)
		return err
	})
	if err != nil {
		s.refuse(w, "my requests", err)
		return
	}
	out := page{Items: []requests.Summary{}}
	now := time.Now()
	for _, req := range list {
		out.Items = append(out.Items, requests.SummarizeForApplicant(req, now))
	}
	if next != nil {
		out.Next = next.Encode()
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// pageParams reads limit and cursor, answering them when wrong.
func pageParams(w http.ResponseWriter, r *http.Request) (int, *requests.Cursor, bool) {
	limit, after, errs := requests.ParsePage(r.URL.Query(), 25)
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return 0, nil, false
	}
	return limit, after, true
}

// detailView is a request with what it says, its history and its files.
type detailView struct {
	requests.Summary
	// Applicant is shown to staff only: the applicant knows who they are.
	Applicant *requests.Applicant   `json:"applicant,omitempty"`
	Data      json.RawMessage       `json:"data"`
	History   []requests.HistoryRow `json:"history"`
	Files     []fileView            `json:"files"`
}

type fileView struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Name      string    `json:"name"`
	Size      int64     `json:"size"`
	MediaType string    `json:"mediaType"`
	SHA256    string    `json:"sha256"`
	AddedAt   time.Time `json:"addedAt"`
	HistoryID int64     `json:"historyId"`
	URL       string    `json:"url"`
}

// loadVisible reads a request the caller may see: its applicant, or staff
// of its department. Anything else is not found.
func loadVisible(r *http.Request, tx pgx.Tx, inst, id uuid.UUID) (requests.Request, error) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	req, err := requests.Get(ctx, tx, inst, id)
	if err != nil {
		return requests.Request{}, err
	}
	if p.Kind.Citizen() {
		if req.Applicant != p.Account {
			return requests.Request{}, requests.ErrNotFound
		}
		return req, nil
	}
	if !p.CanInDepartment("requests.read", inst, req.Department) {
		return requests.Request{}, requests.ErrNotFound
	}
	return req, nil
}

// detail shows a request to its applicant (the public history) or to staff
// of its department (all of it; reading the form data is audited).
func (s *server) detail(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "request")
	if !ok {
		return
	}
	p := access.FromContext(ctx)
	var req requests.Request
	var history []requests.Change
	var files []requests.File
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		if req, err = loadVisible(r, tx, inst, id); err != nil {
			return err
		}
		if history, err = requests.History(ctx, tx, inst, id, p.Kind.Citizen()); err != nil {
			return err
		}
		if files, err = requests.Files(ctx, tx, inst, id); err != nil {
			return err
		}
		if !p.Kind.Citizen() {
			// The form data and who applied are personal data: staff reads are audited.
			_, err = audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorID: p.Account, ActorKind: p.Kind.AuditActor(),
				Action: "request.read", ObjectType: "request", ObjectID: id.String(), IP: access.ClientIP(r),
				New: map[string]any{"read": []string{"data", "applicant"}}})
		}
		return err
	})
	if err != nil {
		s.refuse(w, "request detail", err)
		return
	}
	data, err := s.pii.Open(req.DataSealed, sealContext(inst, id))
	if err != nil {
		s.refuse(w, "request detail: open data", err)
		return
	}
	out := detailView{Summary: requests.Summarize(req, time.Now()), Data: data, History: []requests.HistoryRow{}, Files: []fileView{}}
	if p.Kind.Citizen() {
		out.Summary = requests.SummarizeForApplicant(req, time.Now())
	} else {
		if out.Applicant, err = s.applicantOf(req, data); err != nil {
			s.refuse(w, "request detail: open applicant", err)
			return
		}
	}
	for _, c := range history {
		if p.Kind.Citizen() {
			out.History = append(out.History, requests.ApplicantRow(c))
		} else {
			out.History = append(out.History, requests.Row(c))
		}
	}
	for _, f := range files {
		out.Files = append(out.Files, fileView{ID: f.ID, Kind: f.Kind, Title: f.Title, Name: f.Name, Size: f.Size,
			MediaType: f.MediaType, SHA256: f.SHA256, AddedAt: f.AddedAt, HistoryID: f.HistoryID,
			URL: requests.FilePath(inst, id, f.ID)})
	}
	w.Header().Set("ETag", fmt.Sprintf(`"%d"`, req.Revision))
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// applicantOf is who made req, as kept at submission, with the address its
// form gives; nil for a request made before applicants were kept.
func (s *server) applicantOf(req requests.Request, data json.RawMessage) (*requests.Applicant, error) {
	if req.ApplicantSealed == nil {
		return nil, nil
	}
	plain, err := s.pii.Open(req.ApplicantSealed, applicantSealContext(req.Institution, req.ID))
	if err != nil {
		return nil, err
	}
	var a requests.Applicant
	if err := json.Unmarshal(plain, &a); err != nil {
		return nil, fmt.Errorf("applicant of %s: %w", req.ID, err)
	}
	a.Address = requests.FormAddress(data)
	return &a, nil
}

// download streams a file of a request to whoever may see the request.
// Staff downloads are audited.
func (s *server) download(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "request")
	if !ok {
		return
	}
	fileID, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil {
		httpapi.NotFound(w)
		return
	}
	p := access.FromContext(ctx)
	var file *requests.File
	err = access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := loadVisible(r, tx, inst, id); err != nil {
			return err
		}
		files, err := requests.Files(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		for i := range files {
			if files[i].ID == fileID {
				file = &files[i]
			}
		}
		if file == nil {
			return requests.ErrNotFound
		}
		if p.Kind.Citizen() {
			return nil
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorID: p.Account, ActorKind: p.Kind.AuditActor(),
			Action: "request.file.read", ObjectType: "request", ObjectID: id.String(), IP: access.ClientIP(r),
			New: map[string]any{"file": fileID, "sha256": file.SHA256}})
		return err
	})
	if err != nil {
		s.refuse(w, "download", err)
		return
	}
	body, _, err := s.docs.Blob.Get(ctx, s.docs.Bucket, file.ObjectKey)
	if err != nil {
		s.refuse(w, "download", err)
		return
	}
	defer body.Close()
	w.Header().Set("Content-Type", file.MediaType)
	w.Header().Set("Content-Length", strconv.FormatInt(file.Size, 10))
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", file.Name))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, body); err != nil {
		s.log.Warn("download interrupted", "request_id", id.String(), "error", err.Error())
	}
}

// registrationNumber is a registration number as people write it: "9",
// "9/2026", "nr. 9 / 2026".
var registrationNumber = regexp.MustCompile(`^(?i:nr\.?)?\s*(\d{1,12})\s*(?:/\s*(\d{4}))?$`)

// parseRegistration reads the number and year of a status lookup: the year
// from the number ("9/2026") or from year. A year given both ways must
// agree. It reports whether each is valid; a number without any year is a
// wrong number.
func parseRegistration(numberText, yearText string) (number int64, year int, numberOK, yearOK bool) {
	numberText, yearText = strings.TrimSpace(numberText), strings.TrimSpace(yearText)
	m := registrationNumber.FindStringSubmatch(numberText)
	if m == nil {
		return 0, 0, false, yearText == "" || validYear(yearText)
	}
	number, err := strconv.ParseInt(m[1], 10, 64)
	numberOK = err == nil && number >= 1
	switch {
	case m[2] != "" && yearText != "":
		year, _ = strconv.Atoi(m[2])
		yearOK = validYear(m[2]) && m[2] == yearText
	case m[2] != "":
		year, _ = strconv.Atoi(m[2])
		yearOK = validYear(m[2])
	case yearText != "":
		year, _ = strconv.Atoi(yearText)
		yearOK = validYear(yearText)
	default:
		// Neither: the number lacks the year the receipt prints with it.
		return number, 0, false, true
	}
	return number, year, numberOK, yearOK
}

func validYear(s string) bool {
	y, err := strconv.Atoi(s)
	return err == nil && y >= 2000 && y <= 9999
}

// statusView is what the public lookup tells: nothing personal.
type statusView struct {
	Status       string    `json:"status"`
	Type         string    `json:"type"`
	RegisterCode string    `json:"registerCode"`
	Number       int64     `json:"number"`
	Year         int       `json:"year"`
	RegisteredAt time.Time `json:"registeredAt"`
	Deadline     string    `json:"deadline"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// lookupPolicy slows down guessing verification codes from one address.
func lookupPolicy() throttle.Policy {
	return throttle.Policy{Free: 10, Lock: 30, LockFor: 15 * time.Minute, Window: time.Hour}
}

// publicStatus looks a request up by its number, year and the verification
// code printed on its receipt, written as people copy them: the number as
// the receipt and the mails print it ("9/2026", the year then optional),
// the code in any case and with spaces. Misses from one address are
// throttled.
func (s *server) publicStatus(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, err := uuid.Parse(r.PathValue("institution"))
	if err != nil {
		httpapi.NotFound(w)
		return
	}
	q := r.URL.Query()
	var errs []httpapi.FieldError
	number, year, numberOK, yearOK := parseRegistration(q.Get("number"), q.Get("year"))
	if !numberOK {
		errs = append(errs, httpapi.Field("number", "number.invalid", "Numărul de înregistrare de pe dovadă, de exemplu 9/2026.",
			"The registration number on the receipt, for example 9/2026."))
	}
	if !yearOK {
		errs = append(errs, httpapi.Field("year", "year.invalid", "Anul înregistrării.", "The registration year."))
	}
	code := q.Get("code")
	if strings.TrimSpace(code) == "" || len(code) > 40 {
		errs = append(errs, httpapi.Field("code", "code.invalid", "Codul de verificare de pe dovadă.", "The verification code on the receipt."))
	}
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	key := "request-status:" + access.ClientIP(r)
	var until time.Time
	if err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		until, err = throttle.Check(ctx, tx, key)
		return err
	}); err != nil {
		s.refuse(w, "public status", err)
		return
	}
	if !until.IsZero() {
		w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(until).Seconds())+1))
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusTooManyRequests, Code: "too_many_attempts",
			Detail: "too many lookups that found nothing: try again later"})
		return
	}
	var found requests.Public
	err = db.ScopedTx(ctx, s.pool, db.Scope{Institution: inst}, func(tx pgx.Tx) (err error) {
		found, err = requests.PublicStatus(ctx, tx, inst, year, number, code)
		return err
	})
	if errors.Is(err, requests.ErrNotFound) {
		if err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
			_, err := throttle.Fail(ctx, tx, key, lookupPolicy())
			return err
		}); err != nil {
			s.refuse(w, "public status", err)
			return
		}
		httpapi.NotFound(w)
		return
	}
	if err != nil {
		s.refuse(w, "public status", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, statusView{Status: found.Status, Type: found.TypeName, RegisterCode: found.RegisterCode,
		Number: found.Number, Year: found.Year, RegisteredAt: found.RegisteredAt, Deadline: found.Deadline.String(),
		UpdatedAt: found.UpdatedAt})
}
