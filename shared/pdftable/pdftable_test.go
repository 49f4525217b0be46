package pdftable_test

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"

	"github.com/ghiseu/ghiseu/shared/pdftable"
	"github.com/ghiseu/ghiseu/shared/pdftable/pdftabletest"
)

func doc() pdftable.Document {
	return pdftable.Document{
		Title:    "Registrul general de intrări-ieșiri (RGÎ)",
		Subtitle: []string{"Primăria Municipiului Lugoj", "Perioada: 01.01.2026 – 31.01.2026"},
		Columns: []pdftable.Column{
			{Title: "Nr.", Weight: 1, Align: pdftable.Right},
			{Title: "Data", Weight: 2},
			{Title: "Conținut pe scurt", Weight: 6},
			{Title: "Expeditor", Weight: 3},
			{Title: "File", Weight: 1, Align: pdftable.Right},
		},
		Landscape: true,
		Footer:    "Generat la 24.11.2026 14:05",
		Created:   time.Date(2026, 11, 24, 12, 5, 0, 0, time.UTC),
	}
}

// seq yields rows, then err if it is not nil.
func seq(rows [][]string, err error) iter.Seq2[[]string, error] {
	return func(yield func([]string, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
		if err != nil {
			yield(nil, err)
		}
	}
}

// numbered returns n rows; the subject of row i is made by subject(i).
func numbered(n int, subject func(i int) string) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{strconv.Itoa(i + 1), "05.01.2026", subject(i + 1), "Ionuț Șerban", "3"}
	}
	return rows
}

func render(t *testing.T, d pdftable.Document, rows iter.Seq2[[]string, error]) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := pdftable.Write(&buf, d, rows); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func pages(t *testing.T, b []byte) []string {
	t.Helper()
	p, err := pdftabletest.Pages(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var flat = pdftabletest.Flat

func TestWriteText(t *testing.T) {
	rows := [][]string{
		{"1", "05.01.2026", "Cerere privind eliberarea certificatului de urbanism", "Ionuţ Şerban", "3"},
		{"2", "06.01.2026", "Adresă către Țară: ăâîșț ĂÂÎȘȚ", "Școala Gimnazială nr. 1", "12"},
	}
	b := render(t, doc(), seq(rows, nil))
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("output starts with %q, want %%PDF-", b[:min(len(b), 8)])
	}
	p := pages(t, b)
	if len(p) != 1 {
		t.Fatalf("%d pages, want 1", len(p))
	}
	text := flat(p[0])
	for _, want := range []string{
		"Registrul general de intrări-ieșiri (RGÎ)",
		"Primăria Municipiului Lugoj",
		"Perioada: 01.01.2026 – 31.01.2026",
		"Nr. Data Conținut pe scurt Expeditor File",
		"1 05.01.2026 Cerere privind eliberarea certificatului de urbanism Ionuț Șerban 3",
		"2 06.01.2026 Adresă către Țară: ăâîșț ĂÂÎȘȚ Școala Gimnazială nr. 1 12",
		"Generat la 24.11.2026 14:05",
		"pagina 1 din 1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q; got:\n%s", want, p[0])
		}
	}
	for _, r := range "şţŞŢ" {
		if strings.ContainsRune(text, r) {
			t.Errorf("extracted text has cedilla %q (U+%04X), want comma-below", r, r)
		}
	}
}

func TestWriteHeaderOnEveryPage(t *testing.T) {
	b := render(t, doc(), seq(numbered(150, func(i int) string { return "Petiție " + strconv.Itoa(i) }), nil))
	p := pages(t, b)
	if len(p) < 3 {
		t.Fatalf("%d pages for 150 rows, want at least 3", len(p))
	}
	for i, page := range p {
		text := flat(page)
		if !strings.Contains(text, "Nr. Data Conținut pe scurt Expeditor File") {
			t.Errorf("page %d lacks the header row:\n%s", i+1, page)
		}
		if want := fmt.Sprintf("pagina %d din %d", i+1, len(p)); !strings.Contains(text, want) {
			t.Errorf("page %d lacks %q:\n%s", i+1, want, page)
		}
		if want := "Generat la 24.11.2026 14:05"; !strings.Contains(text, want) {
			t.Errorf("page %d lacks the footer %q", i+1, want)
		}
		if title := strings.Contains(text, "Registrul general"); title != (i == 0) {
			t.Errorf("page %d: title printed = %v, want it on the first page only", i+1, title)
		}
	}
	// Every row is printed once, none lost at a page break.
	all := flat(strings.Join(p, "\n"))
	for i := 1; i <= 150; i++ {
		if n := strings.Count(all, fmt.Sprintf("Petiție %d ", i)); n != 1 {
			t.Errorf("row %d printed %d times", i, n)
		}
	}
}

func TestWriteWrapsLongCell(t *testing.T) {
	long := strings.Repeat("Ștefan și Țara Românească ", 20) + "sfârșit"
	rows := [][]string{{"7", "05.01.2026", long, "Ionuț Șerban", "3"}}
	p := pages(t, render(t, doc(), seq(rows, nil)))
	if len(p) != 1 {
		t.Fatalf("%d pages, want 1", len(p))
	}
	var lines int
	for _, l := range strings.Split(p[0], "\n") {
		if strings.Contains(l, "Ștefan") {
			lines++
		}
		if strings.Contains(l, long) {
			t.Errorf("the long cell was not wrapped: %q", l)
		}
	}
	if lines < 3 {
		t.Errorf("the long cell spans %d lines, want at least 3:\n%s", lines, p[0])
	}
	if !strings.Contains(flat(p[0]), "Țara Românească sfârșit") {
		t.Errorf("the wrapped cell lost its end:\n%s", p[0])
	}
}

func TestWriteBreaksOverlongWord(t *testing.T) {
	word := strings.Repeat("q", 300) // wider than its column: must be cut
	rows := [][]string{{"1", "05.01.2026", "a", word, "3"}}
	p := pages(t, render(t, doc(), seq(rows, nil)))
	if got := strings.Count(p[0], "q"); got != 300 {
		t.Errorf("printed %d of the word's 300 letters", got)
	}
	if strings.Contains(p[0], word) {
		t.Error("the over-long word was not broken")
	}
}

func TestWriteKeepsRowsWhole(t *testing.T) {
	// Rows of several lines each, so that some would straddle a page break.
	rows := numbered(80, func(i int) string {
		return fmt.Sprintf("început%d %s sfârșit%d", i, strings.Repeat("cuvânt ", 40), i)
	})
	p := pages(t, render(t, doc(), seq(rows, nil)))
	if len(p) < 2 {
		t.Fatalf("%d pages, want several", len(p))
	}
	for i, page := range p {
		for j := 1; j <= 80; j++ {
			start := strings.Contains(page, fmt.Sprintf("început%d ", j))
			end := strings.Contains(page, fmt.Sprintf("sfârșit%d\n", j)) || strings.Contains(page, fmt.Sprintf("sfârșit%d ", j))
			if start != end {
				t.Errorf("row %d split across pages (page %d has its start: %v, its end: %v)", j, i+1, start, end)
			}
		}
	}
}

func TestWriteRowTallerThanAPage(t *testing.T) {
	huge := strings.Repeat("foarte lung ", 3000) + "capăt"
	rows := [][]string{{"1", "05.01.2026", huge, "Ionuț Șerban", "3"}, {"2", "05.01.2026", "după", "X", "1"}}
	p := pages(t, render(t, doc(), seq(rows, nil)))
	if len(p) < 3 {
		t.Fatalf("%d pages, want the huge row to go on over several", len(p))
	}
	all := flat(strings.Join(p, "\n"))
	for _, word := range []string{"foarte", "lung"} {
		if got := strings.Count(all, word); got != 3000 {
			t.Errorf("printed %q %d times, want 3000", word, got)
		}
	}
	for _, want := range []string{"capăt", "2 05.01.2026 după X 1"} {
		if !strings.Contains(all, want) {
			t.Errorf("lacks %q", want)
		}
	}
	for i, page := range p {
		if !strings.Contains(flat(page), "Nr. Data Conținut pe scurt") {
			t.Errorf("page %d lacks the header row", i+1)
		}
	}
}

func TestWriteEmpty(t *testing.T) {
	p := pages(t, render(t, doc(), seq(nil, nil)))
	if len(p) != 1 {
		t.Fatalf("%d pages, want 1", len(p))
	}
	text := flat(p[0])
	for _, want := range []string{"Registrul general", "Nr. Data Conținut pe scurt Expeditor File", pdftable.Empty, "pagina 1 din 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q; got:\n%s", want, p[0])
		}
	}
}

func TestWriteSummary(t *testing.T) {
	tests := []struct {
		name string
		rows [][]string
		want []string
	}{
		{"after rows", numbered(2, func(int) string { return "Cerere" }), []string{"2 05.01.2026 Cerere Ionuț Șerban 3 Total file 6"}},
		{"empty table", nil, []string{pdftable.Empty + " Total file 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := doc()
			// The total is only known once the rows have been read.
			total := 0
			counted := func(yield func([]string, error) bool) {
				for _, r := range tt.rows {
					n, _ := strconv.Atoi(r[4])
					total += n
					if !yield(r, nil) {
						return
					}
				}
			}
			d.Summary = func() []string { return []string{"", "", "", "Total file", strconv.Itoa(total)} }
			p := pages(t, render(t, d, counted))
			text := flat(strings.Join(p, "\n"))
			for _, want := range tt.want {
				if !strings.Contains(text, want) {
					t.Errorf("extracted text lacks %q; got:\n%s", want, text)
				}
			}
		})
	}
}

func TestWriteRowError(t *testing.T) {
	errDB := errors.New("connection reset")
	var buf bytes.Buffer
	err := pdftable.Write(&buf, doc(), seq(numbered(3, func(int) string { return "x" }), errDB))
	if !errors.Is(err, errDB) {
		t.Fatalf("Write = %v, want the rows' error", err)
	}
	if !strings.Contains(err.Error(), "row 4") {
		t.Errorf("error %q does not say which row", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes despite the error", buf.Len())
	}
}

func TestWriteStopsReadingAtError(t *testing.T) {
	var read int
	rows := func(yield func([]string, error) bool) {
		for i := range 10 {
			read++
			var err error
			if i == 2 {
				err = errors.New("bad row")
			}
			if !yield([]string{"1", "2", "3", "4", "5"}, err) {
				return
			}
		}
	}
	if err := pdftable.Write(&bytes.Buffer{}, doc(), rows); err == nil {
		t.Fatal("Write succeeded despite a row error")
	}
	if read != 3 {
		t.Errorf("read %d rows, want it to stop at the third", read)
	}
}

func TestWriteInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(*pdftable.Document)
		rows   [][]string
	}{
		{"no columns", func(d *pdftable.Document) { d.Columns = nil }, nil},
		{"negative weight", func(d *pdftable.Document) { d.Columns[1].Weight = -1 }, nil},
		{"unknown alignment", func(d *pdftable.Document) { d.Columns[1].Align = 7 }, nil},
		{"summary too short", func(d *pdftable.Document) { d.Summary = func() []string { return []string{"Total"} } }, nil},
		{"column too narrow", func(d *pdftable.Document) { d.Columns[0].Weight = 0.001 }, nil},
		{"row too short", func(*pdftable.Document) {}, [][]string{{"1", "2"}}},
		{"row too long", func(*pdftable.Document) {}, [][]string{{"1", "2", "3", "4", "5", "6"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := doc()
			d.Columns = slices.Clone(d.Columns)
			tt.change(&d)
			var buf bytes.Buffer
			err := pdftable.Write(&buf, d, seq(tt.rows, nil))
			if !errors.Is(err, pdftable.ErrInvalid) {
				t.Fatalf("Write = %v, want ErrInvalid", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for an invalid table", buf.Len())
			}
		})
	}
}

func TestWritePageSize(t *testing.T) {
	tests := []struct {
		landscape bool
		w, h      float64
	}{
		{false, 595, 842},
		{true, 842, 595},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("landscape=", tt.landscape), func(t *testing.T) {
			d := doc()
			d.Landscape = tt.landscape
			b := render(t, d, seq(numbered(1, func(int) string { return "x" }), nil))
			r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			// gopdf sets the MediaBox on each page or, failing that, on
			// the page tree above it.
			var box pdf.Value
			for v := r.Page(1).V; !v.IsNull() && box.IsNull(); v = v.Key("Parent") {
				box = v.Key("MediaBox")
			}
			if w, h := box.Index(2).Float64(), box.Index(3).Float64(); w != tt.w || h != tt.h {
				t.Errorf("page is %v × %v pt, want %v × %v", w, h, tt.w, tt.h)
			}
		})
	}
}

func TestWriteControlAndMissingCharacters(t *testing.T) {
	rows := [][]string{{"1", "05.01.2026", "rând unu\r\nrând\tdoi\x00 漢", "Ionuț", "3"}}
	p := pages(t, render(t, doc(), seq(rows, nil)))
	text := p[0]
	if !strings.Contains(text, "rând unu") || !strings.Contains(flat(text), "rând doi") {
		t.Errorf("line break or tab not kept as such:\n%s", text)
	}
	if !strings.ContainsRune(text, '\uFFFD') {
		t.Errorf("a character the font lacks is not shown as U+FFFD:\n%s", text)
	}
}

func TestWriteDeterministic(t *testing.T) {
	rows := numbered(60, func(i int) string { return strings.Repeat("text ", i) })
	if a, b := render(t, doc(), seq(rows, nil)), render(t, doc(), seq(rows, nil)); !bytes.Equal(a, b) {
		t.Error("two renderings of the same table differ")
	}
}

// BenchmarkWrite10000 renders the largest table the register export allows,
// to keep an eye on time and memory.
func BenchmarkWrite10000(b *testing.B) {
	cols := make([]pdftable.Column, 14)
	for i := range cols {
		cols[i] = pdftable.Column{Title: fmt.Sprintf("Coloana %d", i+1)}
	}
	cols[7].Weight = 4
	d := pdftable.Document{Title: "Registru", Columns: cols, Landscape: true}
	row := make([]string, len(cols))
	for i := range row {
		row[i] = "celulă " + strconv.Itoa(i)
	}
	row[7] = "Cerere privind eliberarea certificatului de urbanism — strada Ștefan cel Mare nr. 4"
	rows := func(yield func([]string, error) bool) {
		for range 10000 {
			if !yield(row, nil) {
				return
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := pdftable.Write(&buf, d, rows); err != nil {
			b.Fatal(err)
		}
	}
}
