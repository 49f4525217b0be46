package main

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/filingplan"
	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// The years a plan may be for, as the table allows.
const (
	minYear = 1990
	maxYear = 9999
)

func yearErrors(field string, year *int) []httpapi.FieldError {
	if year == nil || *year < minYear || *year > maxYear {
		return []httpapi.FieldError{httpapi.Field(field, field+".invalid",
			"Anul trebuie să fie între 1990 și 9999 (de exemplu 2026).", "The year must be from 1990 to 9999 (for example 2026).")}
	}
	return nil
}

// indicatorErrors allows what filing plans use as indicators ("II-3",
// "3/a", "DT-UAT 12"): letters, digits, spaces and - . / _, starting with
// a letter or a digit, at most 40 characters.
func indicatorErrors(indicator string) []httpapi.FieldError {
	ok := indicator != "" && utf8.RuneCountInString(indicator) <= 40
	for i, c := range indicator {
		letterOrDigit := unicode.IsLetter(c) || unicode.IsDigit(c)
		if !letterOrDigit && (i == 0 || !strings.ContainsRune(" -./_", c)) {
			ok = false
		}
	}
	if !ok {
		return []httpapi.FieldError{httpapi.Field("indicator", "indicator.invalid",
			"Indicativul are 1–40 de caractere (litere, cifre, spații, „-”, „.”, „/” sau „_”) și începe cu o literă sau o cifră, de exemplu II-3.",
			"The indicator has 1 to 40 characters (letters, digits, spaces, '-', '.', '/' or '_'), starting with a letter or digit, for example II-3.")}
	}
	return nil
}

func titleErrors(title string) []httpapi.FieldError {
	ok := title != "" && utf8.RuneCountInString(title) <= 500
	for _, c := range title {
		if unicode.IsControl(c) {
			ok = false
		}
	}
	if !ok {
		return []httpapi.FieldError{httpapi.Field("title", "title.invalid",
			"Completați titlul dosarului, pe un rând (cel mult 500 de caractere).",
			"Give the file's title, on one line (at most 500 characters).")}
	}
	return nil
}

func retentionErrors(retention string) []httpapi.FieldError {
	if !filingplan.ValidRetention(retention) {
		return []httpapi.FieldError{httpapi.Field("retention", "retention.invalid",
			"Termenul de păstrare poate fi 1, 3, 5, 10, 30, 50 sau 100 de ani ori permanent.",
			"The retention period may be 1, 3, 5, 10, 30, 50 or 100 years, or permanent.")}
	}
	return nil
}

func departmentErrors(department *string) (uuid.UUID, []httpapi.FieldError) {
	if department == nil {
		return uuid.Nil, []httpapi.FieldError{httpapi.Field("departmentId", "departmentId.required",
			"Alegeți compartimentul care ține dosarul.", "Choose the department that keeps the file.")}
	}
	id, err := uuid.Parse(*department)
	if err != nil {
		return uuid.Nil, []httpapi.FieldError{httpapi.Field("departmentId", "departmentId.invalid",
			"Compartimentul nu este un identificator valid.", "The department is not a valid id.")}
	}
	return id, nil
}

// fileEvent is the data of the created and updated events.
func fileEvent(f filingplan.File) map[string]any {
	return map[string]any{"institutionId": f.InstitutionID, "fileId": f.ID, "year": f.Year, "indicator": f.Indicator,
		"title": f.Title, "retention": f.Retention, "departmentId": f.DepartmentID}
}

// location is a file's URL.
func location(f filingplan.File) string {
	return "/api/institutions/" + f.InstitutionID.String() + "/filing-plan/" + f.ID.String()
}

type fileList struct {
	Year  int               `json:"year"`
	Files []filingplan.File `json:"files"`
	Next  *string           `json:"next"`
}

// list answers one page of a year's plan: the current year's (in the
// institution's time zone) unless year says which.
func (s *server) list(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	q := r.URL.Query()
	f := filingplan.Filter{Institution: inst}
	var page filingplan.Page
	var errs []httpapi.FieldError
	if v := q.Get("year"); v != "" {
		// Not a number reads as 0, which yearErrors refuses.
		n, _ := strconv.Atoi(v)
		errs = append(errs, yearErrors("year", &n)...)
		f.Year = n
	}
	if v := q.Get("department"); v != "" {
		var err error
		if f.Department, err = uuid.Parse(v); err != nil {
			errs = append(errs, httpapi.Field("department", "department.invalid", "Compartimentul nu este un identificator valid.",
				"The department is not a valid id."))
		}
	}
	if v := q.Get("cursor"); v != "" {
		c, err := filingplan.ParseCursor(v)
		if err != nil {
			errs = append(errs, httpapi.Field("cursor", "cursor.invalid", "Cursorul paginii nu este valid.", "The page cursor is not valid."))
		}
		page.After = &c
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > filingplan.MaxLimit {
			errs = append(errs, httpapi.Field("limit", "limit.invalid",
				"Mărimea paginii trebuie să fie între 1 și "+strconv.Itoa(filingplan.MaxLimit)+".",
				"The page size must be from 1 to "+strconv.Itoa(filingplan.MaxLimit)+"."))
		}
		page.Limit = n
	}
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	ctx := r.Context()
	var res fileList
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if f.Year == 0 {
			var err error
			if f.Year, err = filingplan.CurrentYear(ctx, tx, inst); err != nil {
				return err
			}
		}
		files, next, err := filingplan.List(ctx, tx, f, page)
		res = fileList{Year: f.Year, Files: files}
		if next != nil {
			c := next.String()
			res.Next = &c
		}
		return err
	})
	if err != nil {
		s.refuse(w, "list files", err)
		return
	}
	if res.Files == nil {
		res.Files = []filingplan.File{}
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}

type fileCreate struct {
	Year         *int    `json:"year"`
	Indicator    string  `json:"indicator"`
	Title        string  `json:"title"`
	Retention    string  `json:"retention"`
	DepartmentID *string `json:"departmentId"`
}

func (req *fileCreate) validate(institution uuid.UUID) (filingplan.NewFile, []httpapi.FieldError) {
	n := filingplan.NewFile{Institution: institution, Indicator: strings.TrimSpace(req.Indicator),
		Title: strings.TrimSpace(req.Title), Retention: req.Retention}
	errs := yearErrors("year", req.Year)
	if req.Year != nil {
		n.Year = *req.Year
	}
	errs = append(errs, indicatorErrors(n.Indicator)...)
	errs = append(errs, titleErrors(n.Title)...)
	errs = append(errs, retentionErrors(n.Retention)...)
	var depErrs []httpapi.FieldError
	n.Department, depErrs = departmentErrors(req.DepartmentID)
	return n, append(errs, depErrs...)
}

// create adds a file to a year's plan. The indicator is the natural key
// within the year: a repeated request answers 200 with the file the first
// one made, a taken indicator with other data 409.
func (s *server) create(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	var req fileCreate
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	n, errs := req.validate(inst)
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	ctx := r.Context()
	n.By = actor(ctx)
	var res filingplan.File
	var result filingplan.Result
	var published []int64
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if res, result, err = filingplan.Create(ctx, tx, n); err != nil || result != filingplan.Created {
			return err
		}
		if err := s.audit(ctx, tx, r, inst, "filing_file.create", res.ID, nil, res, ""); err != nil {
			return err
		}
		oid, err := s.emit(ctx, tx, events.TypeFilingFileCreated, inst, fileEvent(res))
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.refuse(w, "create file", err)
		return
	}
	s.outbox.Publish(ctx, published...)
	status := http.StatusOK
	if result == filingplan.Created {
		status = http.StatusCreated
	}
	w.Header().Set("Location", location(res))
	w.Header().Set("ETag", etag(res))
	httpapi.WriteJSON(w, status, res)
}

func (s *server) get(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	id, ok := httpapi.PathID(w, r, "file")
	if !ok {
		return
	}
	var res filingplan.File
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) (err error) {
		res, err = filingplan.Get(r.Context(), tx, inst, id)
		return err
	})
	if err != nil {
		s.refuse(w, "get file", err)
		return
	}
	w.Header().Set("ETag", etag(res))
	httpapi.WriteJSON(w, http.StatusOK, res)
}

type filePatch struct {
	Title        *string `json:"title"`
	Retention    *string `json:"retention"`
	DepartmentID *string `json:"departmentId"`
}

// validate checks the request and returns the changes it asks for.
func (p *filePatch) validate() (filingplan.Changes, []httpapi.FieldError) {
	var c filingplan.Changes
	var errs []httpapi.FieldError
	if p.Title != nil {
		title := strings.TrimSpace(*p.Title)
		c.Title = &title
		errs = append(errs, titleErrors(title)...)
	}
	if p.Retention != nil {
		c.Retention = p.Retention
		errs = append(errs, retentionErrors(*p.Retention)...)
	}
	if p.DepartmentID != nil {
		id, depErrs := departmentErrors(p.DepartmentID)
		c.Department = &id
		errs = append(errs, depErrs...)
	}
	return c, errs
}

// changed names, as the API does, the fields that differ between two
// versions of a file.
func changed(before, after filingplan.File) []string {
	var names []string
	if before.Title != after.Title {
		names = append(names, "title")
	}
	if before.Retention != after.Retention {
		names = append(names, "retention")
	}
	if before.DepartmentID != after.DepartmentID {
		names = append(names, "departmentId")
	}
	return names
}

// update changes an open file's title, retention or department. The year
// and the indicator never change: entries and archives refer to them.
func (s *server) update(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	id, ok := httpapi.PathID(w, r, "file")
	if !ok {
		return
	}
	ifMatch, ok := httpapi.RequireIfMatch(w, r)
	if !ok {
		return
	}
	var req filePatch
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	changes, errs := req.validate()
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	ctx := r.Context()
	var res filingplan.File
	var published []int64
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := filingplan.Lock(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		// A closed file is refused whatever version was read: reading it
		// again would not help.
		if cur.Closed() {
			return filingplan.ErrClosed
		}
		if !httpapi.IfMatch(ifMatch, etag(cur)) {
			return errStale
		}
		before, after, err := filingplan.Update(ctx, tx, inst, id, cur.Revision, changes, actor(ctx))
		if err != nil {
			return err
		}
		res = after
		names := changed(before, after)
		if len(names) == 0 {
			return nil
		}
		if err := s.audit(ctx, tx, r, inst, "filing_file.update", id, before, after, ""); err != nil {
			return err
		}
		data := fileEvent(after)
		data["changed"] = names
		oid, err := s.emit(ctx, tx, events.TypeFilingFileUpdated, inst, data)
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.refuse(w, "update file", err)
		return
	}
	s.outbox.Publish(ctx, published...)
	w.Header().Set("ETag", etag(res))
	httpapi.WriteJSON(w, http.StatusOK, res)
}

// closeFile closes an open file: it takes no more entries, changes no more,
// and its inventory can then be exported. The request has no body.
func (s *server) closeFile(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	id, ok := httpapi.PathID(w, r, "file")
	if !ok {
		return
	}
	ctx := r.Context()
	var res filingplan.File
	var published []int64
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		before, after, err := filingplan.Close(ctx, tx, inst, id, actor(ctx))
		if err != nil {
			return err
		}
		res = after
		if err := s.audit(ctx, tx, r, inst, "filing_file.close", id, before, after, ""); err != nil {
			return err
		}
		oid, err := s.emit(ctx, tx, events.TypeFilingFileClosed, inst, map[string]any{"institutionId": inst, "fileId": id,
			"year": after.Year, "indicator": after.Indicator, "closedAt": after.ClosedAt})
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.refuse(w, "close file", err)
		return
	}
	s.outbox.Publish(ctx, published...)
	w.Header().Set("ETag", etag(res))
	httpapi.WriteJSON(w, http.StatusOK, res)
}

type copyRequest struct {
	FromYear *int `json:"fromYear"`
	ToYear   *int `json:"toYear"`
}

type copyResult struct {
	FromYear int               `json:"fromYear"`
	ToYear   int               `json:"toYear"`
	Created  []filingplan.File `json:"created"`
	Skipped  []string          `json:"skipped"`
}

// copyYear sets up a year's plan from another year's: registrars start a
// new year this way. Indicators the target year already has are skipped,
// so a repeated request creates nothing twice.
func (s *server) copyYear(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	var req copyRequest
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	errs := append(yearErrors("fromYear", req.FromYear), yearErrors("toYear", req.ToYear)...)
	if len(errs) == 0 && *req.FromYear == *req.ToYear {
		errs = append(errs, httpapi.Field("toYear", "toYear.same", "Planul unui an nu poate fi copiat peste el însuși.",
			"A year's plan cannot be copied onto itself."))
	}
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	ctx := r.Context()
	res := copyResult{FromYear: *req.FromYear, ToYear: *req.ToYear}
	var published []int64
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		res.Created, res.Skipped, err = filingplan.CopyYear(ctx, tx, inst, res.FromYear, res.ToYear, actor(ctx))
		if err != nil {
			return err
		}
		published, err = s.announceCopies(ctx, tx, r, inst, res)
		return err
	})
	if err != nil {
		s.refuse(w, "copy the filing plan", err)
		return
	}
	s.outbox.Publish(ctx, published...)
	httpapi.WriteJSON(w, http.StatusOK, res)
}

// announceCopies audits and announces every file a copy created, as if
// each had been created on its own: a file's history starts the same way
// however it was made.
func (s *server) announceCopies(ctx context.Context, tx pgx.Tx, r *http.Request, inst uuid.UUID, res copyResult) ([]int64, error) {
	reason := "copied from the plan of " + strconv.Itoa(res.FromYear)
	published := make([]int64, 0, len(res.Created))
	for _, f := range res.Created {
		if err := s.audit(ctx, tx, r, inst, "filing_file.create", f.ID, nil, f, reason); err != nil {
			return nil, err
		}
		oid, err := s.emit(ctx, tx, events.TypeFilingFileCreated, inst, fileEvent(f))
		if err != nil {
			return nil, err
		}
		published = append(published, oid)
	}
	return published, nil
}
