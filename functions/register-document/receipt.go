package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/receipt"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// receipt serves an entry's registration receipt as a PDF, to whoever may
// see the entry (the citizen it concerns included).
func (s *server) receipt(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "entry")
	if !ok {
		return
	}
	var e registry.Entry
	var reg registry.Register
	var in institutions.Institution
	var relation registry.Relation
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		if e, reg, err = loadEntry(ctx, tx, inst, id); err != nil {
			return err
		}
		if in, err = institutions.Get(ctx, tx, inst); err != nil {
			return err
		}
		rel, err := registry.Relations(ctx, tx, inst, []uuid.UUID{id})
		relation = rel[id]
		return err
	})
	if err != nil {
		s.refuse(w, "receipt", err)
		return
	}
	tz, err := time.LoadLocation(in.TimeZone)
	if err != nil {
		s.refuse(w, "receipt", fmt.Errorf("institution %s time zone: %w", inst, err))
		return
	}
	var buf bytes.Buffer
	err = receipt.Write(&buf, receipt.Data{Institution: in.Name, InstitutionAddress: in.Address, RegisterName: reg.Name,
		RegisterCode: reg.Code, Number: e.Number, Year: e.Year, RegisteredAt: e.RegisteredAt, TimeZone: tz,
		Subject: e.Subject, Sender: e.Sender, Pages: e.Pages, Attachments: e.Attachments,
		VerificationCode: e.VerificationCode, VerificationURL: s.verificationURL(e),
		Answers: relation.Answers, AnsweredBy: answeredBy(relation, tz)})
	if err != nil {
		s.refuse(w, "receipt", err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="dovada-%s-%d-%d.pdf"`, reg.Code, e.Number, e.Year))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = buf.WriteTo(w)
}

// verificationURL is where anyone holding the receipt can check it.
func (s *server) verificationURL(e registry.Entry) string {
	q := url.Values{"nr": {strconv.FormatInt(e.Number, 10)}, "an": {strconv.Itoa(e.Year)}, "cod": {e.VerificationCode}}
	return s.publicURL + "/verificare?" + q.Encode()
}

// answeredBy names what answers an entry: the answers' own numbers, or
// "ieșire" and the date of each answer recorded on the entry's number.
func answeredBy(rel registry.Relation, tz *time.Location) []string {
	out := slices.Clone(rel.AnsweredBy)
	for _, d := range rel.Dispatched {
		out = append(out, "ieșire "+d.In(tz).Format("02.01.2006"))
	}
	return out
}
