package e2e

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/ledongthuc/pdf"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/registry"
)

type filingFileJSON struct {
	ID        uuid.UUID  `json:"id"`
	Year      int        `json:"year"`
	Indicator string     `json:"indicator"`
	Title     string     `json:"title"`
	ClosedAt  *time.Time `json:"closedAt"`
}

// A year's filing plan from its first file to the inventory the archive
// receives: an administrator sets up a file, a registrar files an entry
// into it, the file is closed, and its inventory lists the entry.
func TestFilingPlanJourney(t *testing.T) {
	p := startPlatform(t, "", nil, "filing-plan")
	tn := seedTenants(t, p)
	as := func(c caller) *apiClient {
		return &apiClient{t: t, base: p.functions["filing-plan"], http: &http.Client{Timeout: 30 * time.Second},
			bearer: tn.session(t, p, c), ip: "198.51.100.7"}
	}
	byAdmin, byRegistrar, byClerk := as(administrator), as(registrar), as(clerk)
	plan := "/api/institutions/" + tn.a.String() + "/filing-plan"

	// The plan shown by default is the current year's, in the
	// institution's time zone.
	var current struct {
		Year int `json:"year"`
	}
	byClerk.do(http.MethodGet, plan, nil).want(t, http.StatusOK).json(t, &current)
	year := current.Year
	file := map[string]any{"year": year, "indicator": "II-3", "title": "Certificate de urbanism eliberate",
		"retention": "10", "departmentId": tn.department}

	byRegistrar.do(http.MethodPost, plan, file).want(t, http.StatusForbidden)
	r := byAdmin.do(http.MethodPost, plan, file, "Idempotency-Key", "dosar-II-3").want(t, http.StatusCreated)
	var made filingFileJSON
	r.json(t, &made)
	path := plan + "/" + made.ID.String()
	if r.header.Get("Location") != path || made.Year != year || made.Indicator != "II-3" {
		t.Fatalf("created at %q: %+v", r.header.Get("Location"), made)
	}

	var listed struct {
		Year  int              `json:"year"`
		Files []filingFileJSON `json:"files"`
	}
	byRegistrar.do(http.MethodGet, plan+"?year="+strconv.Itoa(year), nil).want(t, http.StatusOK).json(t, &listed)
	if len(listed.Files) != 1 || listed.Files[0].ID != made.ID {
		t.Fatalf("the plan of %d lists %+v", year, listed.Files)
	}

	// The registrar files an entry into it, as the registry does.
	entry := fileEntryInto(t, p, tn.a, made.ID, time.Date(year, time.June, 2, 9, 30, 0, 0, time.UTC))
	inventory := path + "/inventory"
	if code := byRegistrar.do(http.MethodGet, inventory, nil).want(t, http.StatusConflict).problemCode(); code != "file_open" {
		t.Fatalf("inventory of an open file: code %q", code)
	}

	var closed filingFileJSON
	byAdmin.do(http.MethodPost, path+"/closure", nil).want(t, http.StatusOK).json(t, &closed)
	if closed.ClosedAt == nil {
		t.Fatalf("closed: %+v", closed)
	}
	if code := byAdmin.do(http.MethodPatch, path, map[string]any{"title": "Alt titlu"}, "If-Match", "*").
		want(t, http.StatusConflict).problemCode(); code != "file_closed" {
		t.Fatalf("PATCH on a closed file: code %q", code)
	}

	number := strconv.FormatInt(entry.Number, 10)
	downloads := []struct {
		format, contentType string
		text                func(t *testing.T, b []byte) string
	}{
		{"csv", "text/csv; charset=utf-8", func(_ *testing.T, b []byte) string { return string(b) }},
		{"pdf", "application/pdf", inventoryPDFText},
	}
	for _, d := range downloads {
		t.Run("the inventory as "+d.format, func(t *testing.T) {
			r := byRegistrar.do(http.MethodGet, inventory+"?format="+d.format, nil).want(t, http.StatusOK)
			if ct := r.header.Get("Content-Type"); ct != d.contentType {
				t.Errorf("Content-Type %q, want %q", ct, d.contentType)
			}
			if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "II-3") ||
				!strings.HasSuffix(strings.Trim(cd, `"`), "."+d.format) {
				t.Errorf("Content-Disposition %q: want an attachment named after the file", cd)
			}
			text := d.text(t, r.body)
			want := []string{"RG-" + number + "/" + strconv.Itoa(year)}
			if d.format == "csv" {
				// A PDF may wrap a long subject over lines.
				want = append(want, entry.Subject)
			} else {
				want = append(want, "Inventarul dosarului II-3")
			}
			for _, want := range want {
				if !strings.Contains(text, want) {
					t.Errorf("the inventory does not show %q:\n%s", want, text)
				}
			}
		})
	}

	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		var exports int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE institution_id = $1 AND object_id = $2
			AND action = 'filing_file.inventory.export' AND actor_id = $3`, tn.a, made.ID.String(), tn.accounts[registrar]).Scan(&exports); err != nil {
			return err
		}
		if exports != 2 {
			t.Errorf("%d inventory exports audited, want 2", exports)
		}
		return nil
	})
}

// fileEntryInto registers an entry of institution at the given time, filed
// into file, through package registry as the functions' role: what the
// registry function does when a registrar files a document.
func fileEntryInto(t *testing.T, p *platform, institution, file uuid.UUID, at time.Time) registry.Entry {
	t.Helper()
	ctx := context.Background()
	var e registry.Entry
	err := db.TenantTx(ctx, p.db.App, institution, func(tx pgx.Tx) (err error) {
		reg := registry.Register{Institution: institution, ID: uuid.New(), Code: "RG", Name: "Registrul general", Kind: "incoming"}
		if err := registry.CreateRegister(ctx, tx, reg); err != nil {
			return err
		}
		// Well into the year, so the entry's number is one no date or
		// page number of the inventory could be mistaken for.
		if _, err := tx.Exec(ctx, `INSERT INTO register_counter (institution_id, register_id, year, last_number) VALUES ($1, $2, $3, 4172)`,
			institution, reg.ID, at.Year()); err != nil {
			return err
		}
		e, err = registry.Record(ctx, tx, registry.Entry{Institution: institution, Register: reg.ID, Direction: "incoming",
			Channel: "counter", Sender: "Ion Popescu", Subject: "Cerere certificat de urbanism strada Bălcescu", Pages: 2, File: file}, at)
		return err
	})
	if err != nil {
		t.Fatalf("file an entry: %v", err)
	}
	return e
}

// inventoryPDFText is the text of a PDF's pages, a line per row.
func inventoryPDFText(t *testing.T, b []byte) string {
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
