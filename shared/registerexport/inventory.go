package registerexport

import (
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/ghiseu/ghiseu/shared/pdftable"
)

// InventoryHeader describes a closed filing-plan file (dosar) whose
// inventory is printed when it moves to the archive.
type InventoryHeader struct {
	Institution string
	Department  string
	Indicator   string // required: the file's indicator in the filing plan
	Title       string
	Retention   string // years, "1" to "100", or "permanent"
	Year        int
	ClosedAt    time.Time
	TimeZone    *time.Location // required: the institution's, for dates
	GeneratedAt time.Time
}

// InventoryRow is one registered document of the file.
type InventoryRow struct {
	RegisterCode string
	Number       int64
	Year         int
	RegisteredAt time.Time
	Subject      string
	Sender       string
	Pages        int
	Annulled     bool
}

// inventoryCSVColumns is the header row of an inventory's CSV export. It
// has a state column more than the PDF, which marks annulled entries in
// their subject instead, to leave the subject the width of a portrait page.
var inventoryCSVColumns = []string{"Nr. crt.", "Nr. înregistrare", "Data", "Conținut pe scurt", "Expeditor", "File", "Stare"}

// inventoryPDFColumns fit across a portrait page, 523 pt wide within its
// margins; the weights are widths in points, as in pdfColumns ("RGÎ-12345/2026"
// on one line, a five-digit total of pages).
var inventoryPDFColumns = []pdftable.Column{
	{Title: "Nr. crt.", Weight: 36, Align: pdftable.Right},
	{Title: "Nr. înregistrare", Weight: 72},
	{Title: "Data", Weight: 52},
	{Title: "Conținut pe scurt", Weight: 210},
	{Title: "Expeditor", Weight: 121},
	{Title: "File", Weight: 32, Align: pdftable.Right},
}

// WriteInventoryCSV writes the inventory as CSV to w, row by row, under the
// same rules as WriteCSV; the rows are numbered (Nr. crt.) in the order
// given.
func WriteInventoryCSV(w io.Writer, h InventoryHeader, rows iter.Seq2[InventoryRow, error]) error {
	if err := h.validate(); err != nil {
		return err
	}
	n := 0
	return writeCSV(w, inventoryCSVColumns, rows, func(r InventoryRow) []string {
		n++
		state := "activă"
		if r.Annulled {
			state = "anulată"
		}
		return []string{
			strconv.Itoa(n),
			r.registration(),
			r.RegisteredAt.In(h.TimeZone).Format(dateLayout),
			r.Subject,
			r.Sender,
			strconv.Itoa(r.Pages),
			state,
		}
	})
}

// WriteInventoryPDF writes the inventory as a printable PDF to w: A4
// portrait, the file's description on top, and a last row with the total
// number of pages (file) in the dossier, annulled entries included, since
// their pages stay in it. As WritePDF, it writes nothing until all rows are
// read and fails with ErrTooManyRows past MaxPDFRows rows.
func WriteInventoryPDF(w io.Writer, h InventoryHeader, rows iter.Seq2[InventoryRow, error]) error {
	if err := h.validate(); err != nil {
		return err
	}
	title := "Inventarul dosarului " + h.Indicator
	subtitle := []string{h.Institution, h.Title}
	if h.Department != "" {
		subtitle = append(subtitle, "Compartimentul: "+h.Department)
	}
	var facts []string
	if h.Year != 0 {
		facts = append(facts, "Anul: "+strconv.Itoa(h.Year))
	}
	if h.Retention != "" {
		facts = append(facts, "Termen de păstrare: "+retention(h.Retention))
	}
	if !h.ClosedAt.IsZero() {
		facts = append(facts, "Închis la: "+h.ClosedAt.In(h.TimeZone).Format(dateLayout))
	}
	subtitle = append(subtitle, strings.Join(facts, " · "), generated(h.GeneratedAt, h.TimeZone))
	footer := title
	if h.Institution != "" {
		footer = h.Institution + " — " + footer
	}

	n, pages := 0, 0
	cells := func(r InventoryRow) []string {
		n++
		pages += r.Pages
		subject := r.Subject
		if r.Annulled {
			subject = "ANULAT\n" + subject
		}
		return []string{
			strconv.Itoa(n),
			r.registration(),
			r.RegisteredAt.In(h.TimeZone).Format(dateLayout),
			subject,
			r.Sender,
			strconv.Itoa(r.Pages),
		}
	}
	d := pdftable.Document{
		Title:    title,
		Subtitle: subtitle,
		Columns:  inventoryPDFColumns,
		Footer:   footer,
		Created:  h.GeneratedAt,
		Summary: func() []string {
			return []string{"", "", "", "", "Total file", strconv.Itoa(pages)}
		},
	}
	if err := pdftable.Write(w, d, capped(rows, cells)); err != nil {
		return fmt.Errorf("registerexport: inventory PDF: %w", err)
	}
	return nil
}

func (h InventoryHeader) validate() error {
	var missing []string
	if h.Indicator == "" {
		missing = append(missing, "file indicator")
	}
	if h.TimeZone == nil {
		missing = append(missing, "time zone")
	}
	if len(missing) > 0 {
		return fmt.Errorf("registerexport: %w: missing %s", ErrInvalid, strings.Join(missing, ", "))
	}
	return nil
}

// registration is the entry's registration number as the registry prints
// it: "I-12/2026", or "12/2026" without a register code.
func (r InventoryRow) registration() string {
	s := strconv.FormatInt(r.Number, 10) + "/" + strconv.Itoa(r.Year)
	if r.RegisterCode != "" {
		s = r.RegisterCode + "-" + s
	}
	return s
}

// retention says a retention period in words: "1 an", "10 ani", "30 de ani"
// (Romanian puts "de" after numbers ending in 20 to 99 or 00), "permanent".
// A value it does not know is printed as it is.
func retention(r string) string {
	years, err := strconv.Atoi(r)
	switch {
	case err != nil || years < 1:
		return r
	case years == 1:
		return "1 an"
	case years%100 == 0 || years%100 >= 20:
		return strconv.Itoa(years) + " de ani"
	default:
		return strconv.Itoa(years) + " ani"
	}
}
