package receipt_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"

	"github.com/ghiseu/ghiseu/shared/receipt"
)

// bucharest is fixed (+02:00, winter time) so the test needs no tzdata.
var bucharest = time.FixedZone("EET", 2*60*60)

func valid() receipt.Data {
	return receipt.Data{
		Institution:        "Primăria Municipiului Lugoj",
		InstitutionAddress: "Piața Victoriei nr. 4, Lugoj, județul Timiș, România",
		RegisterName:       "Registrul general de intrări-ieșiri",
		RegisterCode:       "RGÎ",
		Number:             12345,
		Year:               2026,
		RegisteredAt:       time.Date(2026, 11, 24, 12, 5, 0, 0, time.UTC),
		TimeZone:           bucharest,
		Subject:            "Cerere privind eliberarea certificatului de urbanism — strada Ștefan cel Mare nr. 4, Țară",
		Sender:             "Ionuț Șerban",
		Pages:              3,
		Attachments:        2,
		VerificationCode:   "ÂĂÎȘȚ-7K4Q-9XWZ",
		VerificationURL:    "https://ghiseu.lugoj.ro/verificare/7K4Q9XWZ",
	}
}

// extract returns the text of every page of a PDF, a line per row of text,
// with the pieces of a row joined by a space.
func extract(t *testing.T, b []byte) string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("read PDF: %v", err)
	}
	var sb strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		rows, err := r.Page(i).GetTextByRow()
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		for _, row := range rows {
			for j, text := range row.Content {
				if j > 0 {
					sb.WriteString(" ")
				}
				sb.WriteString(text.S)
			}
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

func render(t *testing.T, d receipt.Data) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := receipt.Write(&buf, d); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func TestWriteText(t *testing.T) {
	b := render(t, valid())
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("output starts with %q, want %%PDF-", b[:min(len(b), 8)])
	}
	if !bytes.HasSuffix(bytes.TrimRight(b, "\r\n"), []byte("%%EOF")) {
		t.Errorf("output does not end with %%%%EOF")
	}

	text := extract(t, b)
	// Wrapped lines come back as separate rows: compare with runs of white
	// space reduced to one space.
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"Primăria Municipiului Lugoj",
		"Piața Victoriei nr. 4, Lugoj, județul Timiș, România",
		"DOVADĂ DE ÎNREGISTRARE",
		"Nr. 12345 din 24.11.2026, ora 14:05",
		"în registrul Registrul general de intrări-ieșiri (RGÎ)",
		"Obiectul: Cerere privind eliberarea certificatului de urbanism — strada Ștefan cel Mare nr. 4, Țară",
		"Expeditor: Ionuț Șerban",
		"Număr de file: 3",
		"Număr de anexe: 2",
		"https://ghiseu.lugoj.ro/verificare/7K4Q9XWZ",
		"Cod de verificare: ÂĂÎȘȚ-7K4Q-9XWZ",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("extracted text lacks %q; got:\n%s", want, text)
		}
	}
	for _, r := range "ăâîșțĂÂÎȘȚ" {
		if !strings.ContainsRune(text, r) {
			t.Errorf("extracted text lacks %q (U+%04X)", r, r)
		}
	}
	for _, r := range "şţŞŢ" {
		if strings.ContainsRune(text, r) {
			t.Errorf("extracted text has cedilla %q (U+%04X)", r, r)
		}
	}
}

func TestWriteCedillaBecomesCommaBelow(t *testing.T) {
	d := valid()
	d.Sender = "Ionuţ Şerban"
	d.Subject = "Cerere  pentru\tşcoală\nşi ţarc"
	flat := strings.Join(strings.Fields(extract(t, render(t, d))), " ")
	for _, want := range []string{"Expeditor: Ionuț Șerban", "Obiectul: Cerere pentru școală și țarc"} {
		if !strings.Contains(flat, want) {
			t.Errorf("extracted text lacks %q; got %q", want, flat)
		}
	}
}

func TestWriteDeterministic(t *testing.T) {
	if a, b := render(t, valid()), render(t, valid()); !bytes.Equal(a, b) {
		t.Error("two renderings of the same data differ")
	}
}

func TestWriteLongSubject(t *testing.T) {
	d := valid()
	d.Subject = strings.Repeat("Ștefan și Țara Românească ", 400)
	d.Sender = ""
	b := render(t, d)
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if r.NumPage() < 2 {
		t.Errorf("%d pages, want the long subject to flow onto more", r.NumPage())
	}
	text := extract(t, b)
	if strings.Contains(text, "Expeditor") {
		t.Error("empty sender still printed")
	}
	if !strings.Contains(text, "Cod de verificare: ÂĂÎȘȚ-7K4Q-9XWZ") {
		t.Errorf("verification code missing after a page break")
	}
}

func TestWriteInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(*receipt.Data)
	}{
		{"empty institution", func(d *receipt.Data) { d.Institution = "" }},
		{"blank institution", func(d *receipt.Data) { d.Institution = " \t\n" }},
		{"zero number", func(d *receipt.Data) { d.Number = 0 }},
		{"negative number", func(d *receipt.Data) { d.Number = -1 }},
		{"empty register", func(d *receipt.Data) { d.RegisterName = "" }},
		{"zero time", func(d *receipt.Data) { d.RegisteredAt = time.Time{} }},
		{"no time zone", func(d *receipt.Data) { d.TimeZone = nil }},
		{"empty subject", func(d *receipt.Data) { d.Subject = "" }},
		{"no verification code", func(d *receipt.Data) { d.VerificationCode = "" }},
		{"no verification URL", func(d *receipt.Data) { d.VerificationURL = "" }},
		{"negative pages", func(d *receipt.Data) { d.Pages = -1 }},
		{"negative attachments", func(d *receipt.Data) { d.Attachments = -1 }},
		{"year of another time zone", func(d *receipt.Data) {
			// 31.12.2026 23:30 UTC is already 2027 in Bucharest.
			d.RegisteredAt = time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
		}},
		{"both empty institution and zero number", func(d *receipt.Data) { d.Institution, d.Number = "", 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := valid()
			tt.change(&d)
			var buf bytes.Buffer
			err := receipt.Write(&buf, d)
			if !errors.Is(err, receipt.ErrInvalid) {
				t.Fatalf("Write = %v, want ErrInvalid", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for invalid data", buf.Len())
			}
		})
	}
}

func TestWriteYearAtNewYear(t *testing.T) {
	d := valid()
	d.RegisteredAt = time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	d.Year = 2027
	flat := strings.Join(strings.Fields(extract(t, render(t, d))), " ")
	if want := "Nr. 12345 din 01.01.2027, ora 01:30"; !strings.Contains(flat, want) {
		t.Errorf("extracted text lacks %q; got %q", want, flat)
	}
}

// The receipt names the link between an answer and what it answers,
// whichever practice numbered the answer; without one, neither row shows.
func TestWriteAnswerLinks(t *testing.T) {
	tests := []struct {
		name      string
		answers   string
		by        []string
		want, not []string
	}{
		{"an answer in the outgoing register", "RI-12/2026", nil, []string{"Răspuns la: RI-12/2026"}, []string{"Răspuns: "}},
		{"answered by its own entry", "", []string{"E-40/2026"}, []string{"Răspuns: E-40/2026"}, []string{"Răspuns la:"}},
		{"answered on the same number", "", []string{"ieșire 25.11.2026"}, []string{"Răspuns: ieșire 25.11.2026"}, []string{"Răspuns la:"}},
		{"no link", "", nil, nil, []string{"Răspuns la:", "Răspuns: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := valid()
			d.Answers, d.AnsweredBy = tt.answers, tt.by
			flat := strings.Join(strings.Fields(extract(t, render(t, d))), " ")
			for _, w := range tt.want {
				if !strings.Contains(flat, w) {
					t.Errorf("receipt lacks %q: %s", w, flat)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(flat, w) {
					t.Errorf("receipt has %q: %s", w, flat)
				}
			}
		})
	}
}
