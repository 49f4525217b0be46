package main

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/registerexport"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// exportRegister serves a register's entries for a period, from and to
// being dates (both included) in the institution's time zone, as CSV
// (streamed, any length) or as a printable PDF (at most
// registerexport.MaxPDFRows entries). Confidential subjects and parties
// are printed only for those who may read them. Every export is audited.
func (s *server) exportRegister(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "register")
	if !ok {
		return
	}
	q := r.URL.Query()
	format := q.Get("format")
	var errs []httpapi.FieldError
	if format != "csv" && format != "pdf" {
		errs = append(errs, httpapi.Field("format", "format.invalid", "Formatul este csv sau pdf.", "The format is csv or pdf."))
	}
	from, errFrom := time.Parse(time.DateOnly, q.Get("from"))
	to, errTo := time.Parse(time.DateOnly, q.Get("to"))
	switch {
	case errFrom != nil:
		errs = append(errs, httpapi.Field("from", "from.invalid", "Data de început are forma AAAA-LL-ZZ.", "The start date is YYYY-MM-DD."))
	case errTo != nil:
		errs = append(errs, httpapi.Field("to", "to.invalid", "Data de sfârșit are forma AAAA-LL-ZZ.", "The end date is YYYY-MM-DD."))
	case to.Before(from):
		errs = append(errs, httpapi.Field("to", "to.before_from", "Perioada se termină înainte să înceapă.", "The period ends before it starts."))
	}
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	p := access.FromContext(ctx)
	confidential := p.Can("documents.read.confidential", inst)
	by := actorOf(ctx, r)

	// The export is in the audit trail before a byte of it leaves, in its
	// own transaction: a download cut short was still an export.
	var h registerexport.Header
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		reg, err := registry.GetRegister(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		in, err := institutions.Get(ctx, tx, inst)
		if err != nil {
			return err
		}
		tz, err := time.LoadLocation(in.TimeZone)
		if err != nil {
			return fmt.Errorf("institution %s time zone: %w", inst, err)
		}
		start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, tz)
		end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, tz)
		h = registerexport.Header{Institution: in.Name, RegisterName: reg.Name, RegisterCode: reg.Code, From: start, To: end,
			TimeZone: tz, GeneratedAt: time.Now()}
		return s.audit(ctx, tx, by, inst, "register.export", "register", id, nil,
			map[string]string{"from": q.Get("from"), "to": q.Get("to"), "format": format}, "")
	})
	if errors.Is(err, registry.ErrNoRegister) {
		httpapi.NotFound(w)
		return
	}
	if err != nil {
		s.refuse(w, "export register", err)
		return
	}
	var pdf bytes.Buffer
	err = access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		rows := exportRows(registry.Period(ctx, tx, inst, id, h.From, h.To), confidential, p.Account, h.TimeZone)
		if format == "pdf" {
			// Rendered whole before answering, so a refusal (too many rows)
			// is still a problem and not half a file.
			return registerexport.WritePDF(&pdf, h, rows)
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="registrul-%s-%s-%s.csv"`, h.RegisterCode, q.Get("from"), q.Get("to")))
		w.Header().Set("Cache-Control", "private, no-store")
		w.WriteHeader(http.StatusOK)
		if err := registerexport.WriteCSV(w, h, rows); err != nil {
			// The status is sent: cut the response short, so the client
			// sees a broken download rather than a complete-looking file.
			s.log.Error("export register", "register", id.String(), "error", err.Error())
			panic(http.ErrAbortHandler)
		}
		return nil
	})
	switch {
	case errors.Is(err, registerexport.ErrTooManyRows):
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusUnprocessableEntity, Code: "too_many_rows",
			Detail: fmt.Sprintf("a printable export holds at most %d entries: choose a shorter period, or CSV", registerexport.MaxPDFRows)})
		return
	case err != nil:
		s.refuse(w, "export register", err)
		return
	}
	if format == "pdf" {
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="registrul-%s-%s-%s.pdf"`, h.RegisterCode, q.Get("from"), q.Get("to")))
		w.Header().Set("Cache-Control", "private, no-store")
		w.Header().Set("Content-Length", strconv.Itoa(pdf.Len()))
		w.WriteHeader(http.StatusOK)
		_, _ = pdf.WriteTo(w)
	}
}

// exportRows turns listed entries into export rows, hiding what the caller
// may not read of confidential ones.
func exportRows(entries iter.Seq2[registry.Listed, error], confidential bool, caller uuid.UUID, tz *time.Location) iter.Seq2[registerexport.Row, error] {
	return func(yield func(registerexport.Row, error) bool) {
		for l, err := range entries {
			if err != nil {
				yield(registerexport.Row{}, err)
				return
			}
			row := registerexport.Row{Number: l.Number, Year: l.Year, RegisteredAt: l.RegisteredAt, Direction: l.Direction,
				Channel: l.Channel, Sender: l.Sender, Recipient: l.Recipient, Subject: l.Subject, Pages: l.Pages,
				Attachments: l.Attachments, Confidentiality: l.Confidentiality, File: l.FileIndicator,
				Annulled: l.AnnulledAt != nil, AnnulReason: l.AnnulReason}
			if l.AnswersNumber > 0 {
				row.Answers = fmt.Sprintf("%s-%d/%d", l.AnswersRegister, l.AnswersNumber, l.AnswersYear)
			}
			by := slices.Clone(l.AnsweredBy)
			for _, d := range l.Dispatched {
				by = append(by, "ieșire "+d.In(tz).Format("02.01.2006"))
			}
			row.AnsweredBy = strings.Join(by, "; ")
			if l.Confidential() && !confidential && l.RegisteredBy != caller {
				row.Sender, row.Recipient, row.Subject = "", "", "[confidențial]"
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}
