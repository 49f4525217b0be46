package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/ledongthuc/pdf"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/filingplan"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// fileEntries registers entries into file in 2026, through the registry
// as the functions' role, numbered from 301 so that numbers stand out in
// the exports.
func (f *fixture) fileEntries(file uuid.UUID, entries ...registry.Entry) []registry.Entry {
	f.t.Helper()
	ctx := context.Background()
	var out []registry.Entry
	err := db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error {
		reg := registry.Register{Institution: f.inst, ID: uuid.New(), Code: "RG", Name: "Registrul general", Kind: "incoming"}
		if err := registry.CreateRegister(ctx, tx, reg); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO register_counter (institution_id, register_id, year, last_number) VALUES ($1, $2, 2026, 300)`,
			f.inst, reg.ID); err != nil {
			return err
		}
		for i, e := range entries {
			e.Institution, e.Register, e.File = f.inst, reg.ID, file
			if e.Direction == "" {
				e.Direction, e.Channel = "incoming", "counter"
			}
			got, err := registry.Record(ctx, tx, e, time.Date(2026, 3, 2, 8+i, 0, 0, 0, time.UTC))
			if err != nil {
				return err
			}
			out = append(out, got)
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func TestInventory(t *testing.T) {
	f := setUp(t)
	made := f.do("administrator", http.MethodPost, f.plan(), map[string]any{"year": 2026, "indicator": "II/3 ș",
		"title": "Sesizări și petiții", "retention": "permanent", "departmentId": f.urb}).want(t, http.StatusCreated).file(t)
	entries := f.fileEntries(made.ID,
		registry.Entry{Sender: "Ion Popescu", Subject: "Sesizare privind iluminatul public", Pages: 2},
		registry.Entry{Direction: "outgoing", Channel: "post", Recipient: "Ion Popescu", Subject: "Răspuns la sesizare", Pages: 1},
		registry.Entry{Sender: "Maria Ionescu", Subject: "Sesizare privind un vecin", Confidentiality: "confidential", Pages: 4},
	)
	path := f.plan() + "/" + made.ID.String()
	inventory := path + "/inventory"
	if p := f.do("registrar", http.MethodGet, inventory, nil).want(t, http.StatusConflict).problem(t); p.Code != "file_open" {
		t.Fatalf("inventory of an open file: code %q", p.Code)
	}
	f.do("administrator", http.MethodPost, path+"/closure", nil).want(t, http.StatusOK)

	refusals := []struct {
		name, who, path string
		want            int
	}{
		{"a format it does not write", "registrar", inventory + "?format=xlsx", http.StatusUnprocessableEntity},
		{"an unknown file", "registrar", f.plan() + "/" + uuid.NewString() + "/inventory", http.StatusNotFound},
		{"a clerk, who may not export", "clerk", inventory, http.StatusForbidden},
		{"another institution", "other administrator", inventory, http.StatusForbidden},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) { f.do(tt.who, http.MethodGet, tt.path, nil).want(t, tt.want) })
	}

	csvRows := func(who, query string) [][]string {
		t.Helper()
		r := f.do(who, http.MethodGet, inventory+query, nil).want(t, http.StatusOK)
		if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Fatalf("Content-Type %q", ct)
		}
		_, params, err := mime.ParseMediaType(r.header.Get("Content-Disposition"))
		if err != nil || params["filename"] != "inventar-2026-II-3-s.csv" {
			t.Fatalf("Content-Disposition %q: %v", r.header.Get("Content-Disposition"), err)
		}
		rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.body, []byte("\ufeff"))))
		rd.FieldsPerRecord = -1
		rows, err := rd.ReadAll()
		if err != nil {
			t.Fatalf("CSV: %v\n%s", err, r.body)
		}
		return rows
	}
	tests := []struct {
		name, who, query string
		wantSubject      string // of the confidential entry
	}{
		{"to a registrar, without confidential subjects", "registrar", "", confidentialText},
		{"to an administrator, with them", "administrator", "?format=csv", "Sesizare privind un vecin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := csvRows(tt.who, tt.query)
			text := func(row []string) string { return strings.Join(row, "|") }
			var lines []string
			for _, row := range rows {
				lines = append(lines, text(row))
			}
			all := strings.Join(lines, "\n")
			for _, want := range []string{"RG-301/2026", "RG-302/2026", "RG-303/2026", "Ion Popescu", "Primăria Municipiului Lugoj",
				tt.wantSubject} {
				if !strings.Contains(all, want) {
					t.Errorf("the CSV does not show %q:\n%s", want, all)
				}
			}
			if tt.wantSubject == confidentialText && (strings.Contains(all, "vecin") || strings.Contains(all, "Maria Ionescu")) {
				t.Errorf("the CSV shows a confidential entry to %s:\n%s", tt.who, all)
			}
		})
	}

	t.Run("as PDF", func(t *testing.T) {
		r := f.do("registrar", http.MethodGet, inventory+"?format=pdf", nil).want(t, http.StatusOK)
		if ct := r.header.Get("Content-Type"); ct != "application/pdf" {
			t.Fatalf("Content-Type %q", ct)
		}
		text := pdfText(t, r.body)
		for _, want := range []string{"Inventarul dosarului II/3 ș", "RG-301/2026", "RG-303/2026", "Serviciul Urbanism", confidentialText} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF does not show %q:\n%s", want, text)
			}
		}
	})

	// Every export is audited, with what it showed.
	if n := f.auditCount("filing_file.inventory.export", made.ID); n != 3 {
		t.Fatalf("%d exports audited, want 3", n)
	}
	if entries[2].Number != 303 {
		t.Fatalf("the confidential entry is number %d", entries[2].Number)
	}
}

func TestInventoryFileName(t *testing.T) {
	tests := []struct {
		indicator, want string
	}{
		{"II-3", "inventar-2026-II-3.csv"},
		{"II/3 ș", "inventar-2026-II-3-s.csv"},
		{"Ț.4_a", "inventar-2026-T.4-a.csv"},
		{`3"; filename=x.exe`, "inventar-2026-3-filename-x.exe.csv"},
		{"---", "inventar-2026-dosar.csv"},
		{"日本", "inventar-2026-dosar.csv"},
	}
	for _, tt := range tests {
		if got := inventoryFileName(filingplan.File{Year: 2026, Indicator: tt.indicator}, "csv"); got != tt.want {
			t.Errorf("inventoryFileName(%q) = %q, want %q", tt.indicator, got, tt.want)
		}
	}
}

// pdfText is the text of a PDF's pages, a line per row.
func pdfText(t *testing.T, b []byte) string {
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
