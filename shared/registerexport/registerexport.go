// Package registerexport exports a register's entries for a period, and the
// inventory of a closed filing-plan file (inventarul dosarului), as CSV for
// spreadsheets and as PDF for printing, in Romanian.
//
// CSV streams: rows are written as they are read, in batches, so an export
// of any size takes constant memory; the caller can send it straight to the
// client. If the rows fail half way, part of the file has been written: an
// HTTP handler should then abort the response (panic(http.ErrAbortHandler))
// so the client sees a broken transfer, not a complete-looking file.
//
// PDF does not stream: gopdf builds the document in memory (see pdftable),
// so a PDF holds at most MaxPDFRows rows; larger exports are CSV's job. A
// PDF writer writes nothing to w until every row has been read and laid out,
// so on any error, ErrTooManyRows included, the caller can still answer with
// an error status instead.
//
// Rows are printed as given: leaving out or masking what the reader may not
// see (confidential subjects, say) is the caller's business.
package registerexport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/ghiseu/ghiseu/shared/pdftable"
)

// Row is one registry entry of the export.
type Row struct {
	Number          int64
	Year            int // the registration year; not printed, the date shows it
	RegisteredAt    time.Time
	Direction       string // incoming, outgoing, internal
	Channel         string // counter, portal, email, post, institution_system, internal
	Sender          string
	Recipient       string
	Subject         string
	Pages           int
	Attachments     int
	Confidentiality string // public, internal, confidential
	File            string // the filing-plan file's indicator, "" when none
	Answers         string // the number/year of the entry it answers, e.g. "12/2026", "" when none
	// AnsweredBy is what answers the entry: the answers' references
	// ("E-5/2026"), or under the practice of answering on the same number,
	// "ieșire" and the date of each answer recorded on it; "" when none.
	AnsweredBy  string
	Annulled    bool
	AnnulReason string
}

// Header describes the export: the register and the period.
type Header struct {
	Institution  string
	RegisterName string // required
	RegisterCode string
	From, To     time.Time      // the period, To exclusive; required, From before To
	TimeZone     *time.Location // required: the institution's, for dates and times
	GeneratedAt  time.Time
}

// MaxPDFRows is the most rows a PDF export holds; see the package comment.
const MaxPDFRows = 10000

// ErrTooManyRows is wrapped by the error of a PDF export of more than
// MaxPDFRows rows. The caller should offer the CSV export instead.
var ErrTooManyRows = fmt.Errorf("more than %d rows for a PDF export", MaxPDFRows)

// ErrInvalid is wrapped by the error of an export whose header lacks what it
// needs; nothing is written then.
var ErrInvalid = errors.New("invalid export header")

// csvColumns is the header row of a register's CSV export.
var csvColumns = []string{"Nr.", "Data", "Ora", "Direcția", "Canalul", "Expeditor", "Destinatar",
	"Conținut pe scurt", "File", "Anexe", "Dosar", "Răspuns la", "Răspuns prin", "Confidențialitate", "Stare"}

// pdfColumns are the CSV's columns fitted across a landscape page, 770 pt
// wide within its margins: the weights are widths in points, measured so
// that the usual values fit on one line at pdftable's 8 pt (a six-digit
// number, "05.01.2026", "confidențial"); the date and the time share a
// column, on two lines, to leave the subject room.
var pdfColumns = []pdftable.Column{
	{Title: "Nr.", Weight: 38, Align: pdftable.Right},
	{Title: "Data, ora", Weight: 55},
	{Title: "Direcția", Weight: 42},
	{Title: "Canalul", Weight: 40},
	{Title: "Expeditor", Weight: 92},
	{Title: "Destinatar", Weight: 92},
	{Title: "Conținut pe scurt", Weight: 116},
	{Title: "File", Weight: 24, Align: pdftable.Right},
	{Title: "Anexe", Weight: 34, Align: pdftable.Right},
	{Title: "Dosar", Weight: 38},
	{Title: "Răspuns la", Weight: 46},
	{Title: "Răspuns prin", Weight: 46},
	{Title: "Confid.", Weight: 53},
	{Title: "Stare", Weight: 54},
}

// WriteCSV writes the rows as CSV to w, row by row (see the package
// comment): UTF-8 with a byte order mark, so that spreadsheet programs show
// the diacritics, a header row, dates and times in h.TimeZone, and the
// coded values in Romanian words.
func WriteCSV(w io.Writer, h Header, rows iter.Seq2[Row, error]) error {
	if err := h.validate(); err != nil {
		return err
	}
	return writeCSV(w, csvColumns, rows, func(r Row) []string {
		at := r.RegisteredAt.In(h.TimeZone)
		state := "activă"
		if r.Annulled {
			state = annulled("anulată", r.AnnulReason)
		}
		return []string{
			strconv.FormatInt(r.Number, 10),
			at.Format(dateLayout),
			at.Format(timeLayout),
			word(directions, r.Direction),
			word(channels, r.Channel),
			r.Sender,
			r.Recipient,
			r.Subject,
			strconv.Itoa(r.Pages),
			strconv.Itoa(r.Attachments),
			r.File,
			r.Answers,
			r.AnsweredBy,
			word(confidentiality, r.Confidentiality),
			state,
		}
	})
}

// WritePDF writes the rows as a printable PDF to w: A4 landscape, the
// register and period on top, the header row on every page. It writes
// nothing until all rows are read, and fails with ErrTooManyRows as soon as
// it reads row MaxPDFRows+1.
func WritePDF(w io.Writer, h Header, rows iter.Seq2[Row, error]) error {
	if err := h.validate(); err != nil {
		return err
	}
	title := h.title()
	period := h.period()
	footer := title + ", " + period
	if h.Institution != "" {
		footer = h.Institution + " — " + footer
	}
	d := pdftable.Document{
		Title:     title,
		Subtitle:  []string{h.Institution, "Perioada: " + period, generated(h.GeneratedAt, h.TimeZone)},
		Columns:   pdfColumns,
		Landscape: true,
		Footer:    footer,
		Created:   h.GeneratedAt,
	}
	cells := func(r Row) []string {
		at := r.RegisteredAt.In(h.TimeZone)
		state := "activă"
		if r.Annulled {
			state = annulled("ANULAT", r.AnnulReason)
		}
		return []string{
			strconv.FormatInt(r.Number, 10),
			at.Format(dateLayout) + "\n" + at.Format(timeLayout),
			word(directions, r.Direction),
			word(channels, r.Channel),
			r.Sender,
			r.Recipient,
			r.Subject,
			strconv.Itoa(r.Pages),
			strconv.Itoa(r.Attachments),
			r.File,
			r.Answers,
			r.AnsweredBy,
			word(confidentiality, r.Confidentiality),
			state,
		}
	}
	if err := pdftable.Write(w, d, capped(rows, cells)); err != nil {
		return fmt.Errorf("registerexport: PDF: %w", err)
	}
	return nil
}

func (h Header) validate() error {
	var missing []string
	if h.RegisterName == "" {
		missing = append(missing, "register name")
	}
	if h.TimeZone == nil {
		missing = append(missing, "time zone")
	}
	if h.From.IsZero() || h.To.IsZero() {
		missing = append(missing, "period")
	}
	if len(missing) > 0 {
		return fmt.Errorf("registerexport: %w: missing %s", ErrInvalid, strings.Join(missing, ", "))
	}
	if !h.From.Before(h.To) {
		return fmt.Errorf("registerexport: %w: period from %s to %s", ErrInvalid, h.From, h.To)
	}
	return nil
}

// title is "Registrul <name> (<code>)", without saying "Registrul" twice
// when the name starts with it ("Registrul general de intrări-ieșiri").
func (h Header) title() string {
	title := h.RegisterName
	if !strings.HasPrefix(strings.ToLower(title), "registrul") {
		title = "Registrul " + title
	}
	if h.RegisterCode != "" {
		title += " (" + h.RegisterCode + ")"
	}
	return title
}

// period is the dates of the first and the last day of the period. To is
// exclusive, so the last day is the one of the instant before it: the day
// before when To is a midnight, as it normally is.
func (h Header) period() string {
	return h.From.In(h.TimeZone).Format(dateLayout) + " – " + h.To.Add(-time.Nanosecond).In(h.TimeZone).Format(dateLayout)
}

const (
	dateLayout = "02.01.2006"
	timeLayout = "15:04"
)

func generated(at time.Time, tz *time.Location) string {
	if at.IsZero() {
		return ""
	}
	return "Generat la " + at.In(tz).Format("02.01.2006, ora 15:04")
}

func annulled(label, reason string) string {
	if reason = strings.TrimSpace(reason); reason != "" {
		return label + ": " + reason
	}
	return label
}

// The registry's coded values in Romanian words. A value missing here (one
// added to the schema later) is printed as it is rather than failing the
// export.
var (
	directions = map[string]string{
		"incoming": "intrare",
		"outgoing": "ieșire",
		"internal": "internă",
	}
	channels = map[string]string{
		"counter":            "ghișeu",
		"portal":             "portal",
		"email":              "e-mail",
		"post":               "poștă",
		"institution_system": "sistemul altei instituții",
		"internal":           "intern",
	}
	confidentiality = map[string]string{
		"public":       "public",
		"internal":     "intern",
		"confidential": "confidențial",
	}
)

func word(words map[string]string, code string) string {
	if w, ok := words[code]; ok {
		return w
	}
	return code
}

// capped turns rows into table cells, and fails at row MaxPDFRows+1: the
// error goes through pdftable, which stops reading and writes nothing.
func capped[R any](rows iter.Seq2[R, error], cells func(R) []string) iter.Seq2[[]string, error] {
	return func(yield func([]string, error) bool) {
		n := 0
		for r, err := range rows {
			if err != nil {
				yield(nil, err)
				return
			}
			n++
			if n > MaxPDFRows {
				yield(nil, ErrTooManyRows)
				return
			}
			if !yield(cells(r), nil) {
				return
			}
		}
	}
}

// csvBatch is how many rows are written between flushes: often enough for
// the client to see progress, rarely enough not to cost a write per row.
const csvBatch = 256

// writeCSV writes the BOM, the header row and the rows, flushing every
// csvBatch rows so that memory stays constant.
func writeCSV[R any](w io.Writer, titles []string, rows iter.Seq2[R, error], cells func(R) []string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("registerexport: CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	// RFC 4180 line ends, which every spreadsheet program reads.
	cw.UseCRLF = true
	if err := cw.Write(titles); err != nil {
		return fmt.Errorf("registerexport: CSV: %w", err)
	}
	n := 0
	for r, err := range rows {
		n++
		if err != nil {
			cw.Flush() // what was read so far, for whoever looks at the broken file
			return fmt.Errorf("registerexport: CSV: row %d: %w", n, err)
		}
		record := cells(r)
		for i, s := range record {
			record[i] = csvCell(s)
		}
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("registerexport: CSV: row %d: %w", n, err)
		}
		if n%csvBatch == 0 {
			if err := flush(cw); err != nil {
				return fmt.Errorf("registerexport: CSV: row %d: %w", n, err)
			}
		}
	}
	if err := flush(cw); err != nil {
		return fmt.Errorf("registerexport: CSV: %w", err)
	}
	return nil
}

func flush(cw *csv.Writer) error {
	cw.Flush()
	return cw.Error()
}

var cedilla = strings.NewReplacer("ş", "ș", "ţ", "ț", "Ş", "Ș", "Ţ", "Ț")

// csvCell makes s valid UTF-8 with the comma-below ș ț, and neutralises
// formula injection (OWASP "CSV Injection"): a spreadsheet program runs a
// cell starting with = + - @ (or a tab or carriage return before one) as a
// formula, so such a cell gets a leading single quote, which makes it text.
// Every cell goes through here, the numbers too, so that no column is
// forgotten.
func csvCell(s string) string {
	s = cedilla.Replace(strings.ToValidUTF8(s, "\uFFFD"))
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
