package pdftext_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/signintech/gopdf"

	"github.com/ghiseu/ghiseu/shared/pdffonts"
	"github.com/ghiseu/ghiseu/shared/pdftext"
)

// makePDF sets each page's lines in DejaVu Sans, the font of the
// platform's own PDFs, which has every Romanian letter.
func makePDF(t *testing.T, pages ...[]string) []byte {
	t.Helper()
	g := &gopdf.GoPdf{}
	g.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	if err := g.AddTTFFontData("dejavu", pdffonts.Regular()); err != nil {
		t.Fatal(err)
	}
	for _, lines := range pages {
		g.AddPage()
		if err := g.SetFont("dejavu", "", 11); err != nil {
			t.Fatal(err)
		}
		for i, line := range lines {
			g.SetXY(50, 50+float64(i)*16)
			if err := g.Cell(nil, line); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := g.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var letter = [][]string{
	{"Către Primăria Municipiului Lugoj", "Subsemnatul Ștefan Țurcanu, domiciliat în strada Făgetului nr. 12,", "solicit eliberarea autorizației de construire."},
	{"Anexez: certificatul de urbanism, extrasul de carte funciară.", "ĂÂÎȘȚ ăâîșț"},
	{"Cu stimă, Ștefan Țurcanu"},
}

func TestExtractRomanianText(t *testing.T) {
	tests := []struct {
		name  string
		pages [][]string
		want  string
	}{
		{"one page", letter[:1], strings.Join(letter[0], "\n")},
		{"pages in order", letter, strings.Join(letter[0], "\n") + "\n" + strings.Join(letter[1], "\n") + "\n" + strings.Join(letter[2], "\n")},
		{"a blank page adds nothing", [][]string{letter[2], {"   "}, letter[2]}, letter[2][0] + "\n" + letter[2][0]},
		{"no text at all", [][]string{{" "}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := makePDF(t, tt.pages...)
			got, err := pdftext.Extract(context.Background(), bytes.NewReader(b), int64(len(b)), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// The text stops at the cap, on a character boundary, and the pages after
// it are not even read.
func TestExtractCap(t *testing.T) {
	full := strings.Join(letter[0], "\n") // "Către...": ă is two bytes, the second and third
	b := makePDF(t, letter[0])
	tests := []struct {
		max  int
		want string
	}{
		{0, ""},
		{-1, ""},
		{1, "C"},
		{2, "C"}, // not half of ă
		{3, "Că"},
		{4, "Căt"},
		{len(full), full},
		{len(full) + 100, full},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.max), func(t *testing.T) {
			got, err := pdftext.Extract(context.Background(), bytes.NewReader(b), int64(len(b)), tt.max)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || !utf8.ValidString(got) || len(got) > max(tt.max, 0) {
				t.Errorf("cap %d: got %q, want %q", tt.max, got, tt.want)
			}
		})
	}

	// Sixty pages, each with a long line: a cap within the first page
	// leaves most of the file unread.
	var many [][]string
	for i := range 60 {
		many = append(many, []string{fmt.Sprintf("Pagina %d: %s", i+1, strings.Repeat("registratură ", 30))})
	}
	b = makePDF(t, many...)
	read := func(maxText int) (string, int64) {
		r := &countingReader{r: bytes.NewReader(b)}
		got, err := pdftext.Extract(context.Background(), r, int64(len(b)), maxText)
		if err != nil {
			t.Fatal(err)
		}
		return got, r.n.Load()
	}
	all, allRead := read(1 << 20)
	if !strings.Contains(all, "Pagina 60:") {
		t.Fatalf("the full text lacks the last page: %q", all[max(0, len(all)-200):])
	}
	first, firstRead := read(100)
	if !strings.HasPrefix(first, "Pagina 1: registratură") || len(first) > 100 {
		t.Errorf("capped at 100 bytes: %q", first)
	}
	if firstRead*2 > allRead {
		t.Errorf("capped at 100 bytes it read %d bytes, the whole text %d: it did not stop early", firstRead, allRead)
	}
}

type countingReader struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// Whatever the bytes, Extract returns text or ErrUnreadable: never a panic,
// never another error.
func TestExtractUnreadable(t *testing.T) {
	good := makePDF(t, letter...)
	xref := bytes.LastIndex(good, []byte("startxref"))
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"not a PDF", []byte("Stimate domnule primar, vă scriu ca să...")},
		{"only the header", []byte("%PDF-1.7\n")},
		{"the first half", good[:len(good)/2]},
		{"without its trailer", good[:xref]},
		{"a wrong xref offset", append(bytes.Clone(good[:xref]), "startxref\n99999999\n%%EOF\n"...)},
		{"a header and noise", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0xff, 0x00, '(', ')', '<', '>', '/'}, 500)...)},
		{"objects without a page tree", []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pdftext.Extract(context.Background(), bytes.NewReader(tt.b), int64(len(tt.b)), 1<<20)
			if !errors.Is(err, pdftext.ErrUnreadable) {
				t.Errorf("got %v, want ErrUnreadable", err)
			}
		})
	}

	// Hand-made page trees that loop end, unreadable; the same PDF with a
	// proper tree reads.
	sane := rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>", "<< /Length 33 >>\nstream\nBT /F1 12 Tf (Registratura) Tj ET\nendstream")
	if text, err := pdftext.Extract(context.Background(), bytes.NewReader(sane), int64(len(sane)), 1<<20); text != "Registratura" || err != nil {
		t.Fatalf("a hand-made PDF: %q, %v", text, err)
	}
	for name, pages := range map[string]string{
		"a node that is its own kid":     "<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
		"a node that is its kids, twice": "<< /Type /Pages /Kids [2 0 R 2 0 R] /Count 2 >>",
	} {
		b := rawPDF("<< /Type /Catalog /Pages 2 0 R >>", pages)
		if _, err := pdftext.Extract(context.Background(), bytes.NewReader(b), int64(len(b)), 1<<20); !errors.Is(err, pdftext.ErrUnreadable) {
			t.Errorf("%s: got %v, want ErrUnreadable", name, err)
		}
	}

	// Cut anywhere before its trailer: unreadable.
	for cut := 0; cut < xref; cut += xref/40 + 1 {
		if _, err := pdftext.Extract(context.Background(), bytes.NewReader(good[:cut]), int64(cut), 1<<20); !errors.Is(err, pdftext.ErrUnreadable) {
			t.Errorf("cut at byte %d of %d: got %v, want ErrUnreadable", cut, len(good), err)
		}
	}

	// Damage the file byte by byte, all over: text or ErrUnreadable.
	for off := 0; off < len(good); off += 97 {
		for _, c := range []byte{0, ' ', '0', '(', '<', 0xff} {
			b := bytes.Clone(good)
			b[off] = c
			text, err := pdftext.Extract(context.Background(), bytes.NewReader(b), int64(len(b)), 1<<20)
			if err != nil && !errors.Is(err, pdftext.ErrUnreadable) {
				t.Fatalf("byte %d set to %q: %v", off, c, err)
			}
			if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
				t.Fatalf("byte %d set to %q: text %q is not clean UTF-8", off, c, text)
			}
		}
	}
}

func TestExtractCancelled(t *testing.T) {
	b := makePDF(t, letter...)
	tests := []struct {
		name string
		r    func(cancel context.CancelFunc) io.ReaderAt
		pre  bool
	}{
		{"before it starts", func(context.CancelFunc) io.ReaderAt { return bytes.NewReader(b) }, true},
		// Cancelled while the file is being opened: seen before the first page.
		{"while reading", func(cancel context.CancelFunc) io.ReaderAt { return cancellingReader{bytes.NewReader(b), cancel} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.pre {
				cancel()
			}
			text, err := pdftext.Extract(ctx, tt.r(cancel), int64(len(b)), 1<<20)
			if !errors.Is(err, context.Canceled) || text != "" {
				t.Errorf("got %q, %v; want context.Canceled", text, err)
			}
		})
	}
}

type cancellingReader struct {
	r      io.ReaderAt
	cancel context.CancelFunc
}

func (c cancellingReader) ReadAt(p []byte, off int64) (int, error) {
	c.cancel()
	return c.r.ReadAt(p, off)
}

// rawPDF writes objects 1, 2... with a cross-reference table; object 1 is
// the catalog.
func rawPDF(objects ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}
