// Package pdftable renders a table as a printable, paginated A4 PDF: a
// register's entries, the inventory of a filing-plan file.
//
// Cells wrap onto as many lines as their column needs, the header row
// repeats at the top of every page, a row is never split across pages
// (unless it alone is taller than a page) and every page is numbered
// ("pagina 3 din 12"). The text is set in DejaVu Sans (package pdffonts),
// so every Romanian letter renders and can be extracted again; the cedilla
// forms ş ţ Ş Ţ of old keyboards are printed as the correct comma-below
// ș ț Ș Ț.
//
// Memory: gopdf builds the whole document in memory before it writes a byte,
// so memory grows with the number of rows: about 10 kB per row of 14 short
// cells, or some 110 MB and 2–3 s of CPU for 10,000 such rows (see
// BenchmarkWrite10000). Callers must bound the rows they pass; the register
// export, for one, caps a PDF at 10,000 rows and offers CSV, which streams,
// for more.
package pdftable

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/signintech/gopdf"
	"github.com/signintech/gopdf/fontmaker/core"

	"github.com/ghiseu/ghiseu/shared/pdffonts"
)

// Align is the horizontal alignment of a column's cells.
type Align int

const (
	Left  Align = iota // text
	Right              // numbers, so that their digits line up
)

// Column is a column of the table.
type Column struct {
	Title  string
	Weight float64 // share of the page width, relative to the other columns; 0 counts as 1
	Align  Align   // Left (default) or Right (numbers)
}

// Document is what a table prints besides its rows.
type Document struct {
	Title     string   // bold, on the first page
	Subtitle  []string // lines under the title (institution, period, ...)
	Columns   []Column // at least one
	Landscape bool     // A4 landscape when true, else portrait
	Footer    string   // printed on every page with "pagina N din M"
	Created   time.Time
	// Summary, when not nil, returns a last row, printed in bold after all
	// rows, one cell per column. It is called once the last row has been
	// read, so it can return totals the caller added up while yielding them.
	Summary func() []string
}

// Empty is the line a table without rows shows under its header.
const Empty = "Nicio înregistrare"

// ErrInvalid is wrapped by the error Write returns for a Document or a row
// that cannot be printed as given (no columns, a row with more or fewer
// cells than columns, ...).
var ErrInvalid = errors.New("invalid table")

// Layout, in points. The body text is small because a register has a dozen
// columns across the page; 8 pt is still comfortably legible on paper.
const (
	margin       = 36.0 // 1.27 cm
	footerSpace  = 14.0 // between the last row and the bottom margin, for the footer
	padX, padY   = 3.0, 2.5
	bodySize     = 8.0
	titleSize    = 14.0
	subtitleSize = 10.0
	footerSize   = 7.5
	leading      = 1.25 // line height as a multiple of the font size
	rule         = 0.5  // line width of the grid
	family       = "DejaVuSans"
	placeholder  = "pages" // where the page count goes once it is known
)

// Write renders the table of d with the given rows as a PDF to w. Each row
// has one cell per column; a cell may hold line breaks. The first error from
// rows stops Write, which returns it wrapped.
//
// Nothing is written to w until every row has been read and laid out, so a
// caller can still answer with an error (an HTTP status, say) when Write
// fails. The output depends only on the input: d.Created is the PDF's
// creation date.
func Write(w io.Writer, d Document, rows iter.Seq2[[]string, error]) error {
	d, err := clean(d)
	if err != nil {
		return err
	}
	t, err := newTable(d)
	if err != nil {
		return err
	}

	n := 0
	for row, err := range rows {
		n++
		if err != nil {
			return fmt.Errorf("pdftable: row %d: %w", n, err)
		}
		if len(row) != len(d.Columns) {
			return fmt.Errorf("pdftable: %w: row %d has %d cells for %d columns", ErrInvalid, n, len(row), len(d.Columns))
		}
		cells := make([]string, len(row))
		for i, s := range row {
			cells[i] = cleanCell(s)
		}
		if err := t.row(cells, ""); err != nil {
			return fmt.Errorf("pdftable: row %d: %w", n, err)
		}
	}
	if n == 0 {
		if err := t.empty(); err != nil {
			return fmt.Errorf("pdftable: %w", err)
		}
	}
	if d.Summary != nil {
		sum := d.Summary()
		if len(sum) != len(d.Columns) {
			return fmt.Errorf("pdftable: %w: summary has %d cells for %d columns", ErrInvalid, len(sum), len(d.Columns))
		}
		cells := make([]string, len(sum))
		for i, s := range sum {
			cells[i] = cleanCell(s)
		}
		if err := t.row(cells, "B"); err != nil {
			return fmt.Errorf("pdftable: summary: %w", err)
		}
	}
	if err := t.finish(); err != nil {
		return fmt.Errorf("pdftable: %w", err)
	}
	if _, err := t.pdf.WriteTo(w); err != nil {
		return fmt.Errorf("pdftable: write: %w", err)
	}
	return nil
}

// table lays the document out page by page.
type table struct {
	doc           Document
	pdf           *gopdf.GoPdf
	width, height float64   // of the page
	x             []float64 // left edge of each column, and the right edge of the last
	y             float64   // where the next row starts
	gridTop       float64   // where the vertical rules of the rows above y start
	bottom        float64   // the lowest a row may reach
	page          int
	rowsOnPage    int
	header        [][]line // the wrapped column titles, laid out once
	lineHeight    float64
	ascent        float64 // of the regular font, per point of font size
}

// line is one printed line of a cell and its width.
type line struct {
	s string
	w float64
}

func newTable(d Document) (*table, error) {
	size := *gopdf.PageSizeA4
	if d.Landscape {
		size = *gopdf.PageSizeA4Landscape
	}
	t := &table{
		doc:        d,
		pdf:        &gopdf.GoPdf{},
		width:      size.W,
		height:     size.H,
		bottom:     size.H - margin - footerSpace,
		lineHeight: bodySize * leading,
	}
	t.pdf.Start(gopdf.Config{PageSize: size, Unit: gopdf.UnitPT})
	t.pdf.SetInfo(gopdf.PdfInfo{
		Title:        d.Title,
		Subject:      strings.Join(d.Subtitle, "; "),
		Creator:      "ghiseu",
		CreationDate: d.Created,
	})
	// A character DejaVu Sans lacks (a CJK name, an emoji) prints as the
	// replacement character rather than as nothing, so that the reader sees
	// something was there.
	missing := func(rune) rune { return '\uFFFD' }
	regular := pdffonts.Regular()
	var metrics core.TTFParser
	if err := metrics.ParseFontData(regular); err != nil {
		return nil, fmt.Errorf("pdftable: font: %w", err)
	}
	t.ascent = float64(metrics.TypoAscender()) / float64(metrics.UnitsPerEm())
	if err := t.pdf.AddTTFFontDataWithOption(family, regular,
		gopdf.TtfOption{Style: gopdf.Regular, OnGlyphNotFoundSubstitute: missing}); err != nil {
		return nil, fmt.Errorf("pdftable: font: %w", err)
	}
	if err := t.pdf.AddTTFFontDataWithOption(family, pdffonts.Bold(),
		gopdf.TtfOption{Style: gopdf.Bold, OnGlyphNotFoundSubstitute: missing}); err != nil {
		return nil, fmt.Errorf("pdftable: font: %w", err)
	}

	var total float64
	for _, c := range d.Columns {
		total += weight(c)
	}
	t.x = make([]float64, len(d.Columns)+1)
	t.x[0] = margin
	usable := t.width - 2*margin
	for i, c := range d.Columns {
		t.x[i+1] = t.x[i] + usable*weight(c)/total
	}
	for i := range d.Columns {
		if t.x[i+1]-t.x[i] < 2*padX+bodySize {
			return nil, fmt.Errorf("pdftable: %w: column %d (%q) is too narrow", ErrInvalid, i+1, d.Columns[i].Title)
		}
	}

	if err := t.pdf.SetFont(family, "B", bodySize); err != nil {
		return nil, fmt.Errorf("pdftable: font: %w", err)
	}
	t.header = make([][]line, len(d.Columns))
	for i, c := range d.Columns {
		lines, err := t.wrap(c.Title, i)
		if err != nil {
			return nil, fmt.Errorf("pdftable: column %d: %w", i+1, err)
		}
		t.header[i] = lines
	}
	if h := t.rowHeight(t.header); h > (t.bottom-margin)/2 {
		return nil, fmt.Errorf("pdftable: %w: the column titles take %.0f pt, half a page", ErrInvalid, h)
	}

	if err := t.newPage(); err != nil {
		return nil, fmt.Errorf("pdftable: %w", err)
	}
	return t, nil
}

func weight(c Column) float64 {
	if c.Weight == 0 {
		return 1
	}
	return c.Weight
}

// newPage starts a page: the title on the first one, the footer, and the
// header row.
func (t *table) newPage() error {
	if t.page > 0 {
		t.closeGrid()
	}
	t.pdf.AddPage()
	t.page++
	t.rowsOnPage = 0
	t.y = margin

	if t.page == 1 {
		if err := t.centered(t.doc.Title, "B", titleSize); err != nil {
			return err
		}
		t.y += 4
		for _, s := range t.doc.Subtitle {
			if err := t.centered(s, "", subtitleSize); err != nil {
				return err
			}
		}
		t.y += 10
	}
	t.gridTop = t.y

	if err := t.footer(); err != nil {
		return err
	}
	return t.draw(t.header, 0, t.maxLines(t.header), "B", true)
}

// centered sets s centred across the page, word-wrapped.
func (t *table) centered(s, style string, size float64) error {
	if s == "" {
		return nil
	}
	if err := t.pdf.SetFont(family, style, size); err != nil {
		return err
	}
	lines, err := t.wrapWidth(s, t.width-2*margin)
	if err != nil {
		return err
	}
	for _, l := range lines {
		t.pdf.SetXY((t.width-l.w)/2, t.y)
		if err := t.pdf.Cell(nil, l.s); err != nil {
			return err
		}
		t.y += size * leading
	}
	return nil
}

// footer prints the footer text on the left and the page number on the
// right. The page count is a placeholder filled in by finish, once known.
func (t *table) footer() error {
	if err := t.pdf.SetFont(family, "", footerSize); err != nil {
		return err
	}
	y := t.height - margin
	label := "pagina " + strconv.Itoa(t.page) + " din "
	labelWidth, err := t.pdf.MeasureTextWidth(label)
	if err != nil {
		return err
	}
	// Wide enough for a five-digit page count; the register export's row cap
	// keeps far below that.
	countWidth, err := t.pdf.MeasureTextWidth("00000")
	if err != nil {
		return err
	}
	right := t.width - margin - labelWidth - countWidth
	if t.doc.Footer != "" {
		lines, err := t.wrapWidth(t.doc.Footer, right-margin-10)
		if err != nil {
			return err
		}
		// One line: the footer must stay inside the bottom margin.
		t.pdf.SetXY(margin, y)
		if err := t.pdf.Cell(nil, lines[0].s); err != nil {
			return err
		}
	}
	t.pdf.SetXY(right, y)
	if err := t.pdf.Cell(nil, label); err != nil {
		return err
	}
	// Unlike Cell, which takes the top of the text, gopdf places the
	// placeholder's text at its baseline.
	t.pdf.SetXY(right+labelWidth, y+t.ascent*footerSize)
	return t.pdf.PlaceHolderText(placeholder, countWidth)
}

// finish fills in the page count of every page's footer.
func (t *table) finish() error {
	t.closeGrid()
	if err := t.pdf.SetFont(family, "", footerSize); err != nil {
		return err
	}
	return t.pdf.FillInPlaceHoldText(placeholder, strconv.Itoa(t.page), gopdf.Left)
}

// row prints one row of cells, on a new page when it does not fit on this
// one.
func (t *table) row(cells []string, style string) error {
	if err := t.pdf.SetFont(family, style, bodySize); err != nil {
		return err
	}
	wrapped := make([][]line, len(cells))
	for i, s := range cells {
		lines, err := t.wrap(s, i)
		if err != nil {
			return err
		}
		wrapped[i] = lines
	}
	n := t.maxLines(wrapped)
	if t.y+float64(n)*t.lineHeight+2*padY > t.bottom && t.rowsOnPage > 0 {
		if err := t.newPage(); err != nil {
			return err
		}
	}
	// A row taller than a whole page cannot stay in one piece: it goes on
	// over as many pages as it needs, the header repeated on each.
	for from := 0; from < n; {
		fit := int((t.bottom - t.y - 2*padY) / t.lineHeight)
		if fit < 1 {
			// Cannot happen on a fresh page: newTable keeps the header
			// within half a page.
			if err := t.newPage(); err != nil {
				return err
			}
			continue
		}
		to := min(n, from+fit)
		if err := t.draw(wrapped, from, to, style, style == "B"); err != nil {
			return err
		}
		t.rowsOnPage++
		from = to
		if from < n {
			if err := t.newPage(); err != nil {
				return err
			}
		}
	}
	return nil
}

// empty prints the one line of a table without rows, across all columns.
func (t *table) empty() error {
	t.closeGrid()
	if err := t.pdf.SetFont(family, "", bodySize); err != nil {
		return err
	}
	w, err := t.pdf.MeasureTextWidth(Empty)
	if err != nil {
		return err
	}
	left, right := t.x[0], t.x[len(t.x)-1]
	h := t.lineHeight + 2*padY
	t.pdf.SetLineWidth(rule)
	t.pdf.RectFromUpperLeftWithStyle(left, t.y, right-left, h, "D")
	t.pdf.SetXY(left+(right-left-w)/2, t.y+padY)
	if err := t.pdf.Cell(nil, Empty); err != nil {
		return err
	}
	t.y += h
	t.gridTop = t.y
	return nil
}

// draw prints lines [from, to) of each cell of a row at t.y, with the
// horizontal rules above (when it starts the grid) and below it, shaded when
// it is a header or summary row. The vertical rules are drawn by closeGrid.
func (t *table) draw(cells [][]line, from, to int, style string, shaded bool) error {
	h := float64(to-from)*t.lineHeight + 2*padY
	left, right := t.x[0], t.x[len(t.x)-1]
	if shaded {
		t.pdf.SetFillColor(225, 225, 225)
		t.pdf.RectFromUpperLeftWithStyle(left, t.y, right-left, h, "F")
	}
	t.pdf.SetLineWidth(rule)
	t.pdf.SetStrokeColor(0, 0, 0)
	if t.y == t.gridTop {
		t.pdf.Line(left, t.y, right, t.y)
	}
	t.pdf.Line(left, t.y+h, right, t.y+h)

	t.pdf.SetTextColor(0, 0, 0)
	if err := t.pdf.SetFont(family, style, bodySize); err != nil {
		return err
	}
	for i, lines := range cells {
		for j := from; j < to && j < len(lines); j++ {
			x := t.x[i] + padX
			if t.doc.Columns[i].Align == Right {
				x = t.x[i+1] - padX - lines[j].w
			}
			t.pdf.SetXY(x, t.y+padY+float64(j-from)*t.lineHeight)
			if err := t.pdf.Cell(nil, lines[j].s); err != nil {
				return err
			}
		}
	}
	t.y += h
	return nil
}

// closeGrid draws the vertical rules of the rows drawn since the grid last
// started. Drawing them once per page rather than a box per cell keeps the
// document small: gopdf holds every drawing operation in memory.
func (t *table) closeGrid() {
	if t.y > t.gridTop {
		t.pdf.SetLineWidth(rule)
		t.pdf.SetStrokeColor(0, 0, 0)
		for _, x := range t.x {
			t.pdf.Line(x, t.gridTop, x, t.y)
		}
	}
	t.gridTop = t.y
}

func (t *table) maxLines(cells [][]line) int {
	n := 1 // an empty row still takes a line
	for _, lines := range cells {
		n = max(n, len(lines))
	}
	return n
}

func (t *table) rowHeight(cells [][]line) float64 {
	return float64(t.maxLines(cells))*t.lineHeight + 2*padY
}

// wrap breaks s into the lines of column i, in the current font.
func (t *table) wrap(s string, i int) ([]line, error) {
	return t.wrapWidth(s, t.x[i+1]-t.x[i]-2*padX)
}

// wrapWidth breaks s, in the current font, into lines at most width wide:
// at its line breaks, between words, and inside a word only when the word
// alone is wider than a line (a long e-mail address or reference number).
// Widths add up because kerning is off, so each word is measured once.
func (t *table) wrapWidth(s string, width float64) ([]line, error) {
	if s == "" {
		return nil, nil
	}
	space, err := t.pdf.MeasureTextWidth(" ")
	if err != nil {
		return nil, err
	}
	var lines []line
	for paragraph := range strings.SplitSeq(s, "\n") {
		var cur line
		started := false
		for word := range strings.FieldsSeq(paragraph) {
			ww, err := t.pdf.MeasureTextWidth(word)
			if err != nil {
				return nil, err
			}
			if started && cur.w+space+ww <= width {
				cur.s += " " + word
				cur.w += space + ww
				continue
			}
			if started {
				lines = append(lines, cur)
			}
			started = true
			cur = line{word, ww}
			if ww <= width {
				continue
			}
			pieces, err := t.breakWord(word, width)
			if err != nil {
				return nil, err
			}
			lines = append(lines, pieces[:len(pieces)-1]...)
			cur = pieces[len(pieces)-1]
		}
		// A blank paragraph is an intended empty line.
		lines = append(lines, cur)
	}
	return lines, nil
}

// breakWord cuts a word too wide for a line into pieces that fit, at least
// one character each.
func (t *table) breakWord(word string, width float64) ([]line, error) {
	var pieces []line
	var cur line
	for _, r := range word {
		rw, err := t.pdf.MeasureTextWidth(string(r))
		if err != nil {
			return nil, err
		}
		if cur.s != "" && cur.w+rw > width {
			pieces = append(pieces, cur)
			cur = line{}
		}
		cur.s += string(r)
		cur.w += rw
	}
	return append(pieces, cur), nil
}

// clean checks d and makes its text printable.
func clean(d Document) (Document, error) {
	if len(d.Columns) == 0 {
		return d, fmt.Errorf("pdftable: %w: no columns", ErrInvalid)
	}
	cols := make([]Column, len(d.Columns))
	for i, c := range d.Columns {
		if c.Weight < 0 || math.IsNaN(c.Weight) || math.IsInf(c.Weight, 0) {
			return d, fmt.Errorf("pdftable: %w: column %d has weight %v", ErrInvalid, i+1, c.Weight)
		}
		if c.Align != Left && c.Align != Right {
			return d, fmt.Errorf("pdftable: %w: column %d has alignment %d", ErrInvalid, i+1, c.Align)
		}
		c.Title = cleanCell(c.Title)
		cols[i] = c
	}
	d.Columns = cols
	d.Title = cleanLine(d.Title)
	d.Footer = cleanLine(d.Footer)
	sub := make([]string, 0, len(d.Subtitle))
	for _, s := range d.Subtitle {
		if s = cleanLine(s); s != "" {
			sub = append(sub, s)
		}
	}
	d.Subtitle = sub
	return d, nil
}

var cedilla = strings.NewReplacer("ş", "ș", "ţ", "ț", "Ş", "Ș", "Ţ", "Ț")

// cleanCell makes s valid UTF-8 with the comma-below ș ț, and turns control
// characters into spaces, keeping line breaks (as \n) but not blank lines at
// either end.
func cleanCell(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' {
			return r
		}
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Trim(cedilla.Replace(s), " \n")
}

// cleanLine is cleanCell for text that must stay on one line.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(cleanCell(s)), " ")
}
