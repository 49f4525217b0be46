package main

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// searchEntries finds entries by number, date range, register, party,
// subject and full text (Romanian, diacritics-insensitive, the documents'
// text included), newest first, a page at a time. Confidential entries show
// only to whom may read them.
func (s *server) searchEntries(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	p := access.FromContext(ctx)
	q, errs := searchQuery(r, inst)
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	q.Viewer = registry.Viewer{Account: p.Account, Confidential: p.Can("documents.read.confidential", inst)}
	var page registry.Page
	var relations map[uuid.UUID]registry.Relation
	var location *time.Location
	codes := map[uuid.UUID]registry.Register{}
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		regs, err := registry.ListRegisters(ctx, tx, inst)
		if err != nil {
			return err
		}
		for _, reg := range regs {
			codes[reg.ID] = reg
		}
		in, err := institutions.Get(ctx, tx, inst)
		if err != nil {
			return err
		}
		tz, err := time.LoadLocation(in.TimeZone)
		if err != nil {
			return fmt.Errorf("institution %s time zone: %w", inst, err)
		}
		q.From, q.To = inDays(q.From, tz), inDays(q.To, tz)
		if page, err = registry.Search(ctx, tx, q); err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(page.Entries))
		for i, e := range page.Entries {
			ids[i] = e.ID
		}
		relations, err = registry.Relations(ctx, tx, inst, ids)
		if err != nil {
			return err
		}
		location = tz
		return nil
	})
	switch {
	case errors.Is(err, registry.ErrBadCursor):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("cursor", "cursor.invalid", "Cursorul paginii nu este valid.", "The page cursor is not valid.")})
		return
	case errors.Is(err, registry.ErrBadQuery):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("q", "q.invalid", "Căutarea nu poate fi înțeleasă.", "The search cannot be understood.")})
		return
	case err != nil:
		s.refuse(w, "search entries", err)
		return
	}
	out := struct {
		Items []entryJSON `json:"items"`
		Next  *string     `json:"next"`
	}{Items: []entryJSON{}}
	for _, e := range page.Entries {
		v := entryView(e, codes[e.Register], nil)
		// What answers each entry shows in the results, whichever practice
		// numbered the answer: its own entry, or "ieșire" on this number.
		v.AnsweredBy = answeredBy(relations[e.ID], location)
		out.Items = append(out.Items, v)
	}
	if page.Next != "" {
		out.Next = &page.Next
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// inDays moves the midnight (UTC) of a date to the midnight of the same
// date in tz; the zero time stays zero.
func inDays(d time.Time, tz *time.Location) time.Time {
	if d.IsZero() {
		return d
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, tz)
}

func searchQuery(r *http.Request, inst uuid.UUID) (registry.Query, []httpapi.FieldError) {
	v := r.URL.Query()
	q := registry.Query{Institution: inst, Text: v.Get("q"), Party: v.Get("party"), Direction: v.Get("direction"), After: v.Get("cursor")}
	var errs []httpapi.FieldError
	errs = append(errs, text("q", q.Text, 500, false)...)
	errs = append(errs, text("party", q.Party, 200, false)...)
	if q.Direction != "" && !oneOf(q.Direction, directions) {
		errs = append(errs, httpapi.Field("direction", "direction.invalid", "Direcția este intrare, ieșire sau internă.", "The direction is incoming, outgoing or internal."))
	}
	if s := v.Get("number"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			errs = append(errs, httpapi.Field("number", "number.invalid", "Numărul este un întreg pozitiv.", "The number is a positive integer."))
		}
		q.Number = n
	}
	if s := v.Get("year"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 9999 {
			errs = append(errs, httpapi.Field("year", "year.invalid", "Anul nu este valid.", "The year is not valid."))
		}
		q.Year = n
	}
	for _, f := range []struct {
		name string
		dst  *uuid.UUID
	}{{"register", &q.Register}, {"file", &q.File}} {
		if s := v.Get(f.name); s != "" {
			id, fe := optionalID(f.name, s)
			errs = append(errs, fe...)
			*f.dst = id
		}
	}
	// Dates are days; inDays turns them into the instants where those
	// days begin in the institution's time zone.
	for _, f := range []struct {
		name string
		dst  *time.Time
		next int
	}{{"from", &q.From, 0}, {"to", &q.To, 1}} {
		if s := v.Get(f.name); s != "" {
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				errs = append(errs, httpapi.Field(f.name, f.name+".invalid", "Data are forma AAAA-LL-ZZ.", "The date is YYYY-MM-DD."))
				continue
			}
			*f.dst = d.AddDate(0, 0, f.next)
		}
	}
	switch v.Get("annulled") {
	case "":
	case "true":
		q.Annulled = new(bool)
		*q.Annulled = true
	case "false":
		q.Annulled = new(bool)
	default:
		errs = append(errs, httpapi.Field("annulled", "annulled.invalid", "Valoarea este true sau false.", "The value is true or false."))
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > registry.MaxLimit {
			errs = append(errs, httpapi.Field("limit", "limit.invalid", "Mărimea paginii este între 1 și 200.", "The page size is from 1 to 200."))
		}
		q.Limit = n
	}
	return q, errs
}
