package main

import (
	"bytes"
	"fmt"
	"net/http"
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
// see the entry (the citizen it concerns included): as a file to save, or,
// with ?disposition=inline, for the browser to show and print.
func (s *server) receipt(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "entry")
	if !ok {
		return
	}
	disposition := r.URL.Query().Get("disposition")
	switch disposition {
	case "":
		disposition = "attachment"
	case "attachment", "inline":
	default:
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("disposition", "disposition.invalid",
			"Dovada se descarcă (attachment) sau se afișează pentru tipărire (inline).",
			"The receipt is downloaded (attachment) or shown to print (inline).")})
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
		VerificationCode: e.VerificationCode, VerificationURL: s.site.StatusLookup(inst, e.Number, e.Year, e.VerificationCode),
		Answers: relation.Answers, AnsweredBy: answeredBy(relation, tz)})
	if err != nil {
		s.refuse(w, "receipt", err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`%s; filename="dovada-%s-%d-%d.pdf"`, disposition, reg.Code, e.Number, e.Year))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = buf.WriteTo(w)
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
