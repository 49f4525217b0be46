package registerexport_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ghiseu/ghiseu/shared/pdftable/pdftabletest"
	"github.com/ghiseu/ghiseu/shared/registerexport"
)

// bucharest is fixed (+02:00, winter time) so the tests need no tzdata.
var bucharest = time.FixedZone("EET", 2*60*60)

func header() registerexport.Header {
	return registerexport.Header{
		Institution:  "Primăria Municipiului Lugoj",
		RegisterName: "Registrul general de intrări-ieșiri",
		RegisterCode: "RGÎ",
		// January 2026 in Bucharest: midnight to midnight, local time.
		From:        time.Date(2025, 12, 31, 22, 0, 0, 0, time.UTC),
		To:          time.Date(2026, 1, 31, 22, 0, 0, 0, time.UTC),
		TimeZone:    bucharest,
		GeneratedAt: time.Date(2026, 2, 2, 8, 30, 0, 0, time.UTC),
	}
}

func sampleRows() []registerexport.Row {
	return []registerexport.Row{
		{
			Number: 1, Year: 2026, RegisteredAt: time.Date(2026, 1, 5, 7, 3, 0, 0, time.UTC),
			Direction: "incoming", Channel: "counter", Sender: "Ionuţ Şerban", Recipient: "Direcția Urbanism",
			Subject: "Cerere certificat de urbanism, strada Ștefan cel Mare nr. 4, Țară, ĂÂ, în câmp", Pages: 3, Attachments: 2,
			Confidentiality: "public", File: "III/2",
		},
		{
			Number: 2, Year: 2026, RegisteredAt: time.Date(2026, 1, 5, 22, 15, 0, 0, time.UTC), // 6 January, 00:15
			Direction: "outgoing", Channel: "email", Sender: "Primăria Lugoj", Recipient: "Ionuț Șerban",
			Subject: "Răspuns la cererea 1/2026", Pages: 1, Confidentiality: "internal", Answers: "1/2026",
		},
		{
			Number: 3, Year: 2026, RegisteredAt: time.Date(2026, 1, 7, 9, 0, 0, 0, time.UTC),
			Direction: "internal", Channel: "institution_system", Sender: "=HYPERLINK(\"http://rău.example\")",
			Subject: "Înregistrare greșită", Confidentiality: "confidential",
			Annulled: true, AnnulReason: "dublură",
		},
	}
}

// seq yields rows, then err if it is not nil.
func seq[R any](rows []R, err error) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
		if err != nil {
			var zero R
			yield(zero, err)
		}
	}
}

// parseCSV checks the byte order mark and returns the records after it.
func parseCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(b, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("CSV does not start with the UTF-8 byte order mark: %q", b[:min(len(b), 8)])
	}
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v", err)
	}
	return records
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := registerexport.WriteCSV(&buf, header(), seq(sampleRows(), nil)); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	got := parseCSV(t, buf.Bytes())
	want := [][]string{
		{"Nr.", "Data", "Ora", "Direcția", "Canalul", "Expeditor", "Destinatar", "Conținut pe scurt", "File", "Anexe", "Dosar", "Răspuns la", "Răspuns prin", "Confidențialitate", "Stare"},
		{"1", "05.01.2026", "09:03", "intrare", "ghișeu", "Ionuț Șerban", "Direcția Urbanism",
			"Cerere certificat de urbanism, strada Ștefan cel Mare nr. 4, Țară, ĂÂ, în câmp", "3", "2", "III/2", "", "", "public", "activă"},
		{"2", "06.01.2026", "00:15", "ieșire", "e-mail", "Primăria Lugoj", "Ionuț Șerban",
			"Răspuns la cererea 1/2026", "1", "0", "", "1/2026", "", "intern", "activă"},
		{"3", "07.01.2026", "11:00", "internă", "sistemul altei instituții", "'=HYPERLINK(\"http://rău.example\")", "",
			"Înregistrare greșită", "0", "0", "", "", "", "confidențial", "anulată: dublură"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d:\n%q", len(got), len(want), got)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("record %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
}

func TestWriteCSVWords(t *testing.T) {
	tests := []struct {
		field, code, want string
		column            int
	}{
		{"direction", "incoming", "intrare", 3},
		{"direction", "outgoing", "ieșire", 3},
		{"direction", "internal", "internă", 3},
		{"direction", "sideways", "sideways", 3}, // unknown: printed as it is
		{"channel", "counter", "ghișeu", 4},
		{"channel", "portal", "portal", 4},
		{"channel", "email", "e-mail", 4},
		{"channel", "post", "poștă", 4},
		{"channel", "institution_system", "sistemul altei instituții", 4},
		{"channel", "internal", "intern", 4},
		{"confidentiality", "public", "public", 13},
		{"confidentiality", "internal", "intern", 13},
		{"confidentiality", "confidential", "confidențial", 13},
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.code, func(t *testing.T) {
			r := sampleRows()[0]
			switch tt.field {
			case "direction":
				r.Direction = tt.code
			case "channel":
				r.Channel = tt.code
			case "confidentiality":
				r.Confidentiality = tt.code
			}
			var buf bytes.Buffer
			if err := registerexport.WriteCSV(&buf, header(), seq([]registerexport.Row{r}, nil)); err != nil {
				t.Fatal(err)
			}
			if got := parseCSV(t, buf.Bytes())[1][tt.column]; got != tt.want {
				t.Errorf("%s %q printed %q, want %q", tt.field, tt.code, got, tt.want)
			}
		})
	}
}

func TestWriteCSVInjection(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+40 256 123 456", "'+40 256 123 456"},
		{"-5", "'-5"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1+1", "'\t=1+1"},
		// With CRLF line ends encoding/csv writes no lone carriage return.
		{"\r=1+1", "'=1+1"},
		{"Ion = Ion", "Ion = Ion"},
		{"a-b", "a-b"},
		{"", ""},
		{"'=deja", "'=deja"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			r := sampleRows()[0]
			r.Sender, r.Recipient, r.Subject, r.File, r.Answers, r.AnsweredBy = tt.in, tt.in, tt.in, tt.in, tt.in, tt.in
			r.Annulled, r.AnnulReason = true, tt.in
			var buf bytes.Buffer
			if err := registerexport.WriteCSV(&buf, header(), seq([]registerexport.Row{r}, nil)); err != nil {
				t.Fatal(err)
			}
			got := parseCSV(t, buf.Bytes())[1]
			for _, col := range []int{5, 6, 7, 10, 11, 12} {
				if got[col] != tt.want {
					t.Errorf("column %d = %q, want %q", col, got[col], tt.want)
				}
			}
			// The reason follows "anulată", so it cannot start a formula.
			if !strings.HasPrefix(got[14], "anulată") {
				t.Errorf("state = %q, want it to start with anulată", got[14])
			}
		})
	}
}

func TestWriteCSVRowError(t *testing.T) {
	errDB := errors.New("connection reset")
	var buf bytes.Buffer
	err := registerexport.WriteCSV(&buf, header(), seq(sampleRows(), errDB))
	if !errors.Is(err, errDB) {
		t.Fatalf("WriteCSV = %v, want the rows' error", err)
	}
	if !strings.Contains(err.Error(), "row 4") {
		t.Errorf("error %q does not say which row", err)
	}
}

// countingWriter counts the bytes written to it.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

func TestWriteCSVStreams(t *testing.T) {
	var w countingWriter
	row := sampleRows()[0]
	var seenEarly int
	rows := func(yield func(registerexport.Row, error) bool) {
		for i := range 5000 {
			if i == 2000 {
				seenEarly = w.n
			}
			row.Number = int64(i + 1)
			if !yield(row, nil) {
				return
			}
		}
	}
	if err := registerexport.WriteCSV(&w, header(), rows); err != nil {
		t.Fatal(err)
	}
	// 2000 rows of some 150 bytes must have reached the writer before the
	// rest was read, not been held back until the end.
	if seenEarly < 1000*150 {
		t.Errorf("%d bytes written after 2000 rows, want them on their way", seenEarly)
	}
	if w.n <= seenEarly {
		t.Errorf("nothing written after row 2000")
	}
}

func TestWriteInvalidHeader(t *testing.T) {
	tests := []struct {
		name   string
		change func(*registerexport.Header)
	}{
		{"no register name", func(h *registerexport.Header) { h.RegisterName = "" }},
		{"no time zone", func(h *registerexport.Header) { h.TimeZone = nil }},
		{"no start", func(h *registerexport.Header) { h.From = time.Time{} }},
		{"no end", func(h *registerexport.Header) { h.To = time.Time{} }},
		{"empty period", func(h *registerexport.Header) { h.To = h.From }},
		{"reversed period", func(h *registerexport.Header) { h.From, h.To = h.To, h.From }},
	}
	writers := map[string]func(*bytes.Buffer, registerexport.Header) error{
		"CSV": func(b *bytes.Buffer, h registerexport.Header) error {
			return registerexport.WriteCSV(b, h, seq(sampleRows(), nil))
		},
		"PDF": func(b *bytes.Buffer, h registerexport.Header) error {
			return registerexport.WritePDF(b, h, seq(sampleRows(), nil))
		},
	}
	for _, tt := range tests {
		for format, write := range writers {
			t.Run(format+"/"+tt.name, func(t *testing.T) {
				h := header()
				tt.change(&h)
				var buf bytes.Buffer
				if err := write(&buf, h); !errors.Is(err, registerexport.ErrInvalid) {
					t.Fatalf("= %v, want ErrInvalid", err)
				}
				if buf.Len() != 0 {
					t.Errorf("wrote %d bytes for an invalid header", buf.Len())
				}
			})
		}
	}
}

func renderPDF(t *testing.T, h registerexport.Header, rows []registerexport.Row) string {
	t.Helper()
	var buf bytes.Buffer
	if err := registerexport.WritePDF(&buf, h, seq(rows, nil)); err != nil {
		t.Fatalf("WritePDF: %v", err)
	}
	text, err := pdftabletest.Text(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func TestWritePDF(t *testing.T) {
	text := renderPDF(t, header(), sampleRows())
	flat := pdftabletest.Flat(text)
	for _, want := range []string{
		"Registrul general de intrări-ieșiri (RGÎ)",
		"Primăria Municipiului Lugoj",
		"Perioada: 01.01.2026 – 31.01.2026",
		"Generat la 02.02.2026, ora 10:30",
		"pagina 1 din 1",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("extracted text lacks %q; got:\n%s", want, text)
		}
	}
	// Lines as printed: the first line of each cell of a row, then the
	// second line of the cells that wrap, and so on.
	for _, want := range []string{
		"Nr. Data, ora Direcția Canalul Expeditor Destinatar Conținut pe scurt File Anexe Dosar Răspuns Răspuns Confid. Stare\nla prin\n",
		"\n1 05.01.2026 intrare ghișeu Ionuț Șerban Direcția Urbanism Cerere certificat de 3 2 III/2 public activă\n" +
			"09:03 urbanism, strada Ștefan\ncel Mare nr. 4, Țară, ĂÂ, în\ncâmp\n",
		"\n2 06.01.2026 ieșire e-mail Primăria Lugoj Ionuț Șerban Răspuns la cererea 1/2026 1 0 1/2026 intern activă\n00:15\n",
		"\n3 07.01.2026 internă sistemul =HYPERLINK(\"http://r Înregistrare greșită 0 0 confidențial ANULAT:\n" +
			"11:00 altei ău.example\") dublură\ninstituții\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q; got:\n%s", want, text)
		}
	}
	for _, r := range "ăâîșțĂÂÎȘȚ" {
		if !strings.ContainsRune(text, r) {
			t.Errorf("extracted text lacks %q", r)
		}
	}
	if strings.ContainsAny(text, "şţŞŢ") {
		t.Errorf("extracted text has cedilla letters:\n%s", text)
	}
	if strings.Contains(flat, "Registrul Registrul") {
		t.Error("title says Registrul twice")
	}
}

func TestWritePDFTitle(t *testing.T) {
	tests := []struct{ name, code, want string }{
		{"Registrul general de intrări-ieșiri", "RGÎ", "Registrul general de intrări-ieșiri (RGÎ)"},
		{"de petiții", "P", "Registrul de petiții (P)"},
		{"Intrări", "", "Registrul Intrări"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := header()
			h.RegisterName, h.RegisterCode = tt.name, tt.code
			text := renderPDF(t, h, nil)
			if first, _, _ := strings.Cut(text, "\n"); first != tt.want {
				t.Errorf("title %q, want %q", first, tt.want)
			}
			if !strings.Contains(text, "Nicio înregistrare") {
				t.Errorf("empty export lacks its empty line:\n%s", text)
			}
		})
	}
}

func TestWritePDFPeriodNotAtMidnight(t *testing.T) {
	h := header()
	// To, exclusive, at 14:00 local time: the 15th is the last day.
	h.To = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	if text := renderPDF(t, h, nil); !strings.Contains(text, "Perioada: 01.01.2026 – 15.01.2026") {
		t.Errorf("wrong period:\n%s", text)
	}
}

func TestWritePDFRowError(t *testing.T) {
	errDB := errors.New("connection reset")
	var buf bytes.Buffer
	err := registerexport.WritePDF(&buf, header(), seq(sampleRows(), errDB))
	if !errors.Is(err, errDB) {
		t.Fatalf("WritePDF = %v, want the rows' error", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes despite the error", buf.Len())
	}
}

func TestWritePDFTooManyRows(t *testing.T) {
	read := 0
	row := registerexport.Row{Number: 1, Year: 2026, RegisteredAt: time.Date(2026, 1, 5, 7, 3, 0, 0, time.UTC), Subject: "x"}
	rows := func(yield func(registerexport.Row, error) bool) {
		for range registerexport.MaxPDFRows + 100 {
			read++
			if !yield(row, nil) {
				return
			}
		}
	}
	var buf bytes.Buffer
	err := registerexport.WritePDF(&buf, header(), rows)
	if !errors.Is(err, registerexport.ErrTooManyRows) {
		t.Fatalf("WritePDF = %v, want ErrTooManyRows", err)
	}
	if read != registerexport.MaxPDFRows+1 {
		t.Errorf("read %d rows, want it to stop at row %d", read, registerexport.MaxPDFRows+1)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes despite the error", buf.Len())
	}
}
