package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/filingplan"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/registerexport"
)

// inventoryFormat is one way of writing an inventory.
type inventoryFormat struct {
	contentType string
	write       func(io.Writer, registerexport.InventoryHeader, iter.Seq2[registerexport.InventoryRow, error]) error
}

var inventoryFormats = map[string]inventoryFormat{
	"csv": {"text/csv; charset=utf-8", registerexport.WriteInventoryCSV},
	"pdf": {"application/pdf", registerexport.WriteInventoryPDF},
}

// confidentialText stands for what a caller may not read of a
// confidential entry: its line stays, so the inventory still accounts for
// every number.
const confidentialText = "(confidențial)"

// inventory exports the inventory of a closed file (inventarul dosarului)
// for the archive, as CSV or PDF. It is an export of the register, so
// every one is audited, in the transaction that reads it.
func (s *server) inventory(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	id, ok := httpapi.PathID(w, r, "file")
	if !ok {
		return
	}
	name := r.URL.Query().Get("format")
	if name == "" {
		name = "csv"
	}
	format, ok := inventoryFormats[name]
	if !ok {
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("format", "format.invalid", "Formatul poate fi csv sau pdf.",
			"The format may be csv or pdf.")})
		return
	}
	ctx := r.Context()
	// Subjects and parties of confidential entries are for holders of
	// documents.read.confidential, as everywhere else.
	showConfidential := access.FromContext(ctx).Can("documents.read.confidential", inst)
	// Rendered whole before anything is sent, so that a failure half-way
	// is still answered as a problem, and the export is audited only if
	// it was made.
	var buf bytes.Buffer
	var file filingplan.File
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if file, err = filingplan.Get(ctx, tx, inst, id); err != nil {
			return err
		}
		if !file.Closed() {
			return filingplan.ErrOpen
		}
		in, err := institutions.Get(ctx, tx, inst)
		if err != nil {
			return fmt.Errorf("inventory of %s: %w", id, err)
		}
		dep, err := institutions.GetDepartment(ctx, tx, inst, file.DepartmentID)
		if err != nil {
			return fmt.Errorf("inventory of %s: %w", id, err)
		}
		tz, err := time.LoadLocation(in.TimeZone)
		if err != nil {
			return fmt.Errorf("inventory of %s: the institution's time zone: %w", id, err)
		}
		h := registerexport.InventoryHeader{Institution: in.Name, Department: dep.Name, Indicator: file.Indicator,
			Title: file.Title, Retention: file.Retention, Year: file.Year, ClosedAt: *file.ClosedAt, TimeZone: tz,
			GeneratedAt: time.Now()}
		entries := 0
		rows := func(yield func(registerexport.InventoryRow, error) bool) {
			for e, err := range filingplan.Inventory(ctx, tx, inst, id) {
				if err != nil {
					yield(registerexport.InventoryRow{}, err)
					return
				}
				entries++
				if !yield(inventoryRow(e, in.Name, showConfidential), nil) {
					return
				}
			}
		}
		if err := format.write(&buf, h, rows); err != nil {
			return err
		}
		return s.audit(ctx, tx, r, inst, "filing_file.inventory.export", id, nil,
			map[string]any{"format": name, "entries": entries, "confidentialShown": showConfidential}, "")
	})
	switch {
	case errors.Is(err, registerexport.ErrTooManyRows):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("format", "format.too_many_rows",
			"Dosarul are prea multe înregistrări pentru un PDF ("+strconv.Itoa(registerexport.MaxPDFRows)+" cel mult): exportați inventarul ca CSV.",
			"The file has too many entries for a PDF (at most "+strconv.Itoa(registerexport.MaxPDFRows)+"): export the inventory as CSV.")})
		return
	case err != nil:
		s.refuse(w, "inventory", err)
		return
	}
	w.Header().Set("Content-Type", format.contentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment",
		map[string]string{"filename": inventoryFileName(file, name)}))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = buf.WriteTo(w)
}

// inventoryRow is an entry as its inventory line shows it. The sender of
// an outgoing document is the institution itself.
func inventoryRow(e filingplan.InventoryEntry, institution string, showConfidential bool) registerexport.InventoryRow {
	row := registerexport.InventoryRow{RegisterCode: e.RegisterCode, Number: e.Number, Year: e.Year,
		RegisteredAt: e.RegisteredAt, Subject: e.Subject, Sender: e.Sender, Pages: e.Pages, Annulled: e.Annulled}
	if row.Sender == "" && e.Direction == "outgoing" {
		row.Sender = institution
	}
	if e.Confidential && !showConfidential {
		row.Subject, row.Sender = confidentialText, confidentialText
	}
	return row
}

// asciiFold spells Romanian letters without their diacritics, for file names.
var asciiFold = strings.NewReplacer("ă", "a", "â", "a", "î", "i", "ș", "s", "ş", "s", "ț", "t", "ţ", "t",
	"Ă", "A", "Â", "A", "Î", "I", "Ș", "S", "Ş", "S", "Ț", "T", "Ţ", "T")

// inventoryFileName names a download "inventar-2026-II-3.pdf": letters,
// digits, '-' and '.' only, whatever the indicator holds (a '/' would make
// a path of it, a quote or a newline could break the header), so every
// browser and file system takes it as it is.
func inventoryFileName(f filingplan.File, ext string) string {
	var b strings.Builder
	dash := false
	for _, c := range asciiFold.Replace(f.Indicator) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' {
			b.WriteRune(c)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	indicator := strings.Trim(b.String(), "-.")
	if indicator == "" {
		indicator = "dosar"
	}
	return "inventar-" + strconv.Itoa(f.Year) + "-" + indicator + "." + ext
}
