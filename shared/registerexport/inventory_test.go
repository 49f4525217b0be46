package registerexport_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ghiseu/ghiseu/shared/pdftable/pdftabletest"
	"github.com/ghiseu/ghiseu/shared/registerexport"
)

func inventoryHeader() registerexport.InventoryHeader {
	return registerexport.InventoryHeader{
		Institution: "Primăria Municipiului Lugoj",
		Department:  "Direcția Urbanism și Amenajarea Teritoriului",
		Indicator:   "III/2",
		Title:       "Certificate de urbanism și corespondența aferentă",
		Retention:   "10",
		Year:        2026,
		ClosedAt:    time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC), // 1 January 2027 in Bucharest
		TimeZone:    bucharest,
		GeneratedAt: time.Date(2027, 1, 5, 8, 0, 0, 0, time.UTC),
	}
}

func inventoryRows() []registerexport.InventoryRow {
	return []registerexport.InventoryRow{
		{RegisterCode: "I", Number: 12, Year: 2026, RegisteredAt: time.Date(2026, 1, 5, 7, 3, 0, 0, time.UTC),
			Subject: "Cerere certificat de urbanism, strada Ştefan cel Mare", Sender: "Ionuț Șerban", Pages: 3},
		{RegisterCode: "E", Number: 40, Year: 2026, RegisteredAt: time.Date(2026, 1, 31, 22, 15, 0, 0, time.UTC), // 1 February
			Subject: "Răspuns: certificatul nr. 7", Sender: "Primăria Lugoj", Pages: 2},
		{Number: 41, Year: 2026, RegisteredAt: time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC),
			Subject: "Țară âîă", Sender: "+40 256 000 000", Pages: 4, Annulled: true},
	}
}

func TestWriteInventoryCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := registerexport.WriteInventoryCSV(&buf, inventoryHeader(), seq(inventoryRows(), nil)); err != nil {
		t.Fatalf("WriteInventoryCSV: %v", err)
	}
	got := parseCSV(t, buf.Bytes())
	want := [][]string{
		{"Nr. crt.", "Nr. înregistrare", "Data", "Conținut pe scurt", "Expeditor", "File", "Stare"},
		{"1", "I-12/2026", "05.01.2026", "Cerere certificat de urbanism, strada Ștefan cel Mare", "Ionuț Șerban", "3", "activă"},
		{"2", "E-40/2026", "01.02.2026", "Răspuns: certificatul nr. 7", "Primăria Lugoj", "2", "activă"},
		{"3", "41/2026", "03.02.2026", "Țară âîă", "'+40 256 000 000", "4", "anulată"},
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

func TestWriteInventoryCSVRowError(t *testing.T) {
	errDB := errors.New("connection reset")
	err := registerexport.WriteInventoryCSV(&bytes.Buffer{}, inventoryHeader(), seq(inventoryRows(), errDB))
	if !errors.Is(err, errDB) {
		t.Fatalf("WriteInventoryCSV = %v, want the rows' error", err)
	}
}

func renderInventory(t *testing.T, h registerexport.InventoryHeader, rows []registerexport.InventoryRow) string {
	t.Helper()
	var buf bytes.Buffer
	if err := registerexport.WriteInventoryPDF(&buf, h, seq(rows, nil)); err != nil {
		t.Fatalf("WriteInventoryPDF: %v", err)
	}
	text, err := pdftabletest.Text(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func TestWriteInventoryPDF(t *testing.T) {
	text := renderInventory(t, inventoryHeader(), inventoryRows())
	for _, want := range []string{
		"Inventarul dosarului III/2\n",
		"Primăria Municipiului Lugoj\n",
		"Certificate de urbanism și corespondența aferentă\n",
		"Compartimentul: Direcția Urbanism și Amenajarea Teritoriului\n",
		"Anul: 2026 · Termen de păstrare: 10 ani · Închis la: 01.01.2027\n",
		"Generat la 05.01.2027, ora 10:00\n",
		"Nr. Nr. Data Conținut pe scurt Expeditor File\ncrt. înregistrare\n",
		"\n1 I-12/2026 05.01.2026 Cerere certificat de urbanism, strada Ștefan cel Ionuț Șerban 3\nMare\n",
		"\n2 E-40/2026 01.02.2026 Răspuns: certificatul nr. 7 Primăria Lugoj 2\n",
		"\n3 41/2026 03.02.2026 ANULAT +40 256 000 000 4\nȚară âîă\n",
		"\nTotal file 9\n",
		"pagina 1 din  1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q; got:\n%s", want, text)
		}
	}
}

func TestWriteInventoryPDFRetention(t *testing.T) {
	tests := []struct{ retention, want string }{
		{"1", "1 an"},
		{"3", "3 ani"},
		{"5", "5 ani"},
		{"10", "10 ani"},
		{"30", "30 de ani"},
		{"50", "50 de ani"},
		{"100", "100 de ani"},
		{"permanent", "permanent"},
	}
	for _, tt := range tests {
		t.Run(tt.retention, func(t *testing.T) {
			h := inventoryHeader()
			h.Retention = tt.retention
			text := renderInventory(t, h, nil)
			if want := "Termen de păstrare: " + tt.want + " ·"; !strings.Contains(text, want) {
				t.Errorf("extracted text lacks %q; got:\n%s", want, text)
			}
		})
	}
}

func TestWriteInventoryPDFEmpty(t *testing.T) {
	text := renderInventory(t, inventoryHeader(), nil)
	for _, want := range []string{"Nicio înregistrare\n", "Total file 0\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q; got:\n%s", want, text)
		}
	}
}

func TestWriteInventoryErrors(t *testing.T) {
	errDB := errors.New("connection reset")
	noZone := inventoryHeader()
	noZone.TimeZone = nil
	noIndicator := inventoryHeader()
	noIndicator.Indicator = ""
	tests := []struct {
		name string
		h    registerexport.InventoryHeader
		rows []registerexport.InventoryRow
		err  error
		want error
	}{
		{"row error", inventoryHeader(), inventoryRows(), errDB, errDB},
		{"no time zone", noZone, inventoryRows(), nil, registerexport.ErrInvalid},
		{"no indicator", noIndicator, inventoryRows(), nil, registerexport.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := registerexport.WriteInventoryPDF(&buf, tt.h, seq(tt.rows, tt.err))
			if !errors.Is(err, tt.want) {
				t.Fatalf("WriteInventoryPDF = %v, want %v", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
			if tt.want == registerexport.ErrInvalid {
				buf.Reset()
				if err := registerexport.WriteInventoryCSV(&buf, tt.h, seq(tt.rows, nil)); !errors.Is(err, tt.want) {
					t.Errorf("WriteInventoryCSV = %v, want %v", err, tt.want)
				}
				if buf.Len() != 0 {
					t.Errorf("CSV: wrote %d bytes for an invalid header", buf.Len())
				}
			}
		})
	}
}

func TestWriteInventoryPDFTooManyRows(t *testing.T) {
	read := 0
	row := inventoryRows()[0]
	rows := func(yield func(registerexport.InventoryRow, error) bool) {
		for range registerexport.MaxPDFRows + 100 {
			read++
			if !yield(row, nil) {
				return
			}
		}
	}
	var buf bytes.Buffer
	err := registerexport.WriteInventoryPDF(&buf, inventoryHeader(), rows)
	if !errors.Is(err, registerexport.ErrTooManyRows) {
		t.Fatalf("WriteInventoryPDF = %v, want ErrTooManyRows", err)
	}
	if read != registerexport.MaxPDFRows+1 || buf.Len() != 0 {
		t.Errorf("read %d rows and wrote %d bytes, want %d rows and nothing", read, buf.Len(), registerexport.MaxPDFRows+1)
	}
}
