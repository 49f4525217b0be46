package registry_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// searchCorpus is a small registry in which every search filter has
// something to find and something to leave out, and another institution
// holding an entry that matches almost every query.
type searchCorpus struct {
	fixture
	// clerk and colleague are registrars; each registered one confidential entry.
	clerk, colleague uuid.UUID
	file             uuid.UUID
	key              map[uuid.UUID]string // entry id to its name below
	entries          map[string]registry.Entry
	otherEntry       uuid.UUID
}

// at is a registration time, in UTC.
func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func newSearchCorpus(t *testing.T) searchCorpus {
	t.Helper()
	ctx := context.Background()
	c := searchCorpus{fixture: setUp(t), clerk: uuid.New(), colleague: uuid.New(), file: uuid.New(),
		key: map[uuid.UUID]string{}, entries: map[string]registry.Entry{}}
	dept := uuid.New()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO account (id, kind, institution_id, email, display_name) VALUES ($1, 'staff', $3, 'clerk@example.ro', 'Registrator'), ($2, 'staff', $3, 'colleague@example.ro', 'Registrator 2')`,
			[]any{c.clerk, c.colleague, c.inst}},
		{`INSERT INTO department (institution_id, id, code, name, kind) VALUES ($1, $2, 'SALUB', 'Serviciul Salubrizare', 'service')`, []any{c.inst, dept}},
		{`INSERT INTO filing_file (institution_id, id, year, indicator, title, retention, department_id) VALUES ($1, $2, 2025, 'IV-3', 'Petiții privind salubrizarea', '10', $3)`,
			[]any{c.inst, c.file, dept}},
	} {
		if _, err := c.d.Owner.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}

	type entry struct {
		key, register, subject, sender, recipient, confidentiality string
		by                                                         uuid.UUID
		at                                                         string
		file                                                       bool
	}
	// In registration order: numbers rise with time in each register-year.
	corpus := []entry{
		{key: "last-year", register: "I", subject: "Cerere de informații publice", sender: "Sorin Pop", at: "2024-12-31 21:00"},
		{key: "urbanism", register: "I", subject: "Cererea de eliberare a certificatului de urbanism", sender: "Ștefan Popescu", recipient: "Direcția Urbanism", at: "2025-02-10 10:00"},
		{key: "ajutor", register: "E", subject: "Soluționarea cererii de ajutor social", sender: "Direcția de Asistență Socială", recipient: "Maria Ionescu", at: "2025-03-05 09:30"},
		{key: "muresan", register: "I", subject: "Sesizare privind iluminatul public", sender: "Stefan Muresan", recipient: "Poliția Locală", at: "2025-04-01 08:15"},
		{key: "construire", register: "I", subject: "Cerere pentru emiterea autorizației de construire", sender: "SC Construcții Banat SRL", recipient: "Registratură", at: "2025-05-12 10:00"},
		{key: "demolare", register: "I", subject: "Autorizație de demolare", sender: "Ioana Vlădescu", recipient: "Registratură", at: "2025-06-20 12:00"},
		{key: "familia-popescu", register: "E", subject: "Adresă către familia Popescu", sender: "Compartimentul Juridic", recipient: "Elena Stoica", at: "2025-07-01 11:00"},
		{key: "confidential", register: "I", subject: "Cerere de anchetă socială", sender: "Gheorghiță Bălan", confidentiality: "confidential", by: c.colleague, at: "2025-08-08 09:00"},
		{key: "confidential-own", register: "I", subject: "Cerere privind un caz de violență domestică", sender: "Ana Toma", confidentiality: "confidential", by: c.clerk, at: "2025-08-09 09:00"},
		{key: "annulled", register: "I", subject: "Cerere depusă de două ori", sender: "Vlad Rusu", at: "2025-09-01 14:00"},
		{key: "document", register: "I", subject: "Solicitare aviz de amplasament", sender: "Oana Neagu", at: "2025-10-10 10:10"},
		// Registered at the same instant: the id breaks the tie.
		{key: "audienta", register: "I", subject: "Cerere de audiență", sender: "Florin Lazăr", at: "2025-11-11 11:00"},
		{key: "audienta-raspuns", register: "E", subject: "Răspuns la cererea de audiență", sender: "Cabinetul Primarului", recipient: "Florin Lazăr", at: "2025-11-11 11:00"},
		{key: "salubrizare", register: "I", subject: "Petiție privind salubrizarea", sender: "Irina Cozma", at: "2025-12-01 16:00", file: true},
		// 00:30 on 1 January 2026 in Bucharest: of 2026.
		{key: "new-year", register: "I", subject: "Sesizare privind un copac căzut", sender: "Tudor Oprea", at: "2025-12-31 22:30"},
	}
	err := db.TenantTx(ctx, c.d.App, c.inst, func(tx pgx.Tx) error {
		for _, e := range corpus {
			reg, dir := c.incoming, "incoming"
			if e.register == "E" {
				reg, dir = c.outgoing, "outgoing"
			}
			var file uuid.UUID
			if e.file {
				file = c.file
			}
			by := e.by
			if by == uuid.Nil {
				by = c.clerk
			}
			rec, err := registry.Record(ctx, tx, registry.Entry{Institution: c.inst, Register: reg, Direction: dir, Channel: "counter",
				Subject: e.subject, Sender: e.sender, Recipient: e.recipient, Confidentiality: e.confidentiality, RegisteredBy: by, File: file}, at(e.at))
			if err != nil {
				return err
			}
			c.key[rec.ID] = e.key
			c.entries[e.key] = rec
		}
		if _, err := registry.Annul(ctx, tx, c.inst, c.entries["annulled"].ID, c.clerk, "Înregistrată de două ori"); err != nil {
			return err
		}
		// The text of an attached document, as the trigger on
		// document_version would add it.
		_, err := tx.Exec(ctx, `UPDATE registry_entry SET content_search = ghiseu_search_vector($2) WHERE institution_id = $1 AND id = $3`,
			c.inst, "Subsemnata solicit aviz. Imobilul se află în intravilanul municipiului Lugoj.", c.entries["document"].ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// The other institution's entry matches most queries below: it must
	// never show.
	otherRegister := uuid.New()
	err = db.TenantTx(ctx, c.d.App, c.otherInst, func(tx pgx.Tx) error {
		if err := registry.CreateRegister(ctx, tx, registry.Register{Institution: c.otherInst, ID: otherRegister, Code: "I", Name: "Intrări", Kind: "incoming"}); err != nil {
			return err
		}
		e, err := registry.Record(ctx, tx, registry.Entry{Institution: c.otherInst, Register: otherRegister, Direction: "incoming", Channel: "portal",
			Subject: "Cerere pentru eliberarea autorizației de construire și a certificatului de urbanism", Sender: "Ștefan Popescu Lazăr",
			Recipient: "Registratură"}, at("2025-05-12 10:00"))
		c.otherEntry = e.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// all runs q as the application role in the corpus institution's tenant
// transaction, following Next to the end, and returns the names of the
// entries in order. It fails the test on a page over the limit, an entry of
// another institution, or an entry seen twice.
func (c searchCorpus) all(t *testing.T, q registry.Query) []string {
	t.Helper()
	ctx := context.Background()
	var names []string
	seen := map[uuid.UUID]bool{}
	limit := q.Limit
	if limit == 0 {
		limit = registry.DefaultLimit
	}
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatalf("%+v: more than 100 pages", q)
		}
		var page registry.Page
		err := db.TenantTx(ctx, c.d.App, c.inst, func(tx pgx.Tx) (err error) {
			page, err = registry.Search(ctx, tx, q)
			return err
		})
		if err != nil {
			t.Fatalf("search %+v: %v", q, err)
		}
		if len(page.Entries) > limit {
			t.Fatalf("a page of %d entries, limit %d", len(page.Entries), limit)
		}
		if page.Next != "" && len(page.Entries) != limit {
			t.Fatalf("a page of %d entries (limit %d) with a next page", len(page.Entries), limit)
		}
		for _, e := range page.Entries {
			if e.Institution != c.inst || e.ID == c.otherEntry {
				t.Fatalf("search %+v returned %s of institution %s", q, e.ID, e.Institution)
			}
			if seen[e.ID] {
				t.Fatalf("search %+v returned %s twice", q, c.key[e.ID])
			}
			seen[e.ID] = true
			names = append(names, c.key[e.ID])
		}
		if page.Next == "" {
			return names
		}
		q.After = page.Next
	}
}

// everyone sees every entry, confidential ones included.
var everyone = registry.Viewer{Confidential: true}

// ordered returns the names in the order search gives them: newest first,
// by registration time and then id.
func (c searchCorpus) ordered(names ...string) []string {
	out := slices.Clone(names)
	slices.SortFunc(out, func(a, b string) int {
		ea, eb := c.entries[a], c.entries[b]
		if d := eb.RegisteredAt.Compare(ea.RegisteredAt); d != 0 {
			return d
		}
		return strings.Compare(eb.ID.String(), ea.ID.String())
	})
	return out
}

// cerere names the entries in which some form of "cerere" occurs.
var cerere = []string{"last-year", "urbanism", "ajutor", "construire", "confidential", "confidential-own", "annulled", "audienta", "audienta-raspuns"}

func TestSearchText(t *testing.T) {
	c := newSearchCorpus(t)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"a word finds its inflections", "cerere", cerere},
		{"an inflection finds the others", "cererii", cerere},
		{"upper case", "CERERE", cerere},
		{"without diacritics finds with", "Stefan", []string{"urbanism", "muresan"}},
		{"with diacritics finds without", "Ștefan", []string{"urbanism", "muresan"}},
		{"upper case with diacritics", "ȘTEFAN", []string{"urbanism", "muresan"}},
		{"nominative without diacritics finds the genitive with", "autorizatie", []string{"construire", "demolare"}},
		{"genitive without diacritics finds the nominative with", "autorizatiei", []string{"construire", "demolare"}},
		{"with diacritics, any case", "AUTORIZAȚIE", []string{"construire", "demolare"}},
		{"a name in the sender or in the subject", "popescu", []string{"urbanism", "familia-popescu"}},
		{"every word", "certificat urbanism", []string{"urbanism"}},
		{"a phrase", `"cerere de audienta"`, []string{"audienta", "audienta-raspuns"}},
		{"an exclusion", "cerere -audienta", []string{"last-year", "urbanism", "ajutor", "construire", "confidential", "confidential-own", "annulled"}},
		{"the text of a document", "intravilan", []string{"document"}},
		{"no match", "expropriere", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.all(t, registry.Query{Institution: c.inst, Text: tt.text, Viewer: everyone})
			if want := c.ordered(tt.want...); !slices.Equal(got, want) {
				t.Errorf("search %q:\n got %v\nwant %v", tt.text, got, want)
			}
		})
	}
}

func TestSearchFilters(t *testing.T) {
	c := newSearchCorpus(t)
	yes, no := true, false
	everyEntry := slices.Collect(maps.Keys(c.entries))
	tests := []struct {
		name string
		q    registry.Query
		want []string
	}{
		{"party in the sender, not the subject", registry.Query{Party: "popescu"}, []string{"urbanism"}},
		{"party in the sender or the recipient", registry.Query{Party: "Lazar"}, []string{"audienta", "audienta-raspuns"}},
		{"party without diacritics", registry.Query{Party: "stefan"}, []string{"urbanism", "muresan"}},
		{"party and text", registry.Query{Party: "Lazăr", Text: "raspuns"}, []string{"audienta-raspuns"}},
		{"number and year: one per register", registry.Query{Number: 1, Year: 2025}, []string{"urbanism", "ajutor"}},
		{"number, year and register", registry.Query{Number: 1, Year: 2025, Register: c.incoming}, []string{"urbanism"}},
		{"number of another year", registry.Query{Number: 1, Year: 2024}, []string{"last-year"}},
		{"a number not given", registry.Query{Number: 99, Year: 2025}, nil},
		{"year", registry.Query{Year: 2024}, []string{"last-year"}},
		{"the year is Bucharest's", registry.Query{Year: 2026}, []string{"new-year"}},
		{"number of the new year", registry.Query{Number: 1, Year: 2026}, []string{"new-year"}},
		{"register", registry.Query{Register: c.outgoing}, []string{"ajutor", "familia-popescu", "audienta-raspuns"}},
		{"direction", registry.Query{Direction: "outgoing"}, []string{"ajutor", "familia-popescu", "audienta-raspuns"}},
		{"direction and text", registry.Query{Direction: "outgoing", Text: "cerere"}, []string{"ajutor", "audienta-raspuns"}},
		// From is in, To is out.
		{"registration time from, to", registry.Query{From: c.entries["construire"].RegisteredAt, To: c.entries["confidential"].RegisteredAt},
			[]string{"construire", "demolare", "familia-popescu"}},
		{"registration time from", registry.Query{From: at("2025-10-10 10:10")}, []string{"document", "audienta", "audienta-raspuns", "salubrizare", "new-year"}},
		{"registration time to", registry.Query{To: at("2025-02-10 10:00")}, []string{"last-year"}},
		{"time and text", registry.Query{From: at("2025-03-01 00:00"), To: at("2025-10-01 00:00"), Text: "cerere"},
			[]string{"ajutor", "construire", "confidential", "confidential-own", "annulled"}},
		{"annulled", registry.Query{Annulled: &yes}, []string{"annulled"}},
		{"not annulled", registry.Query{Annulled: &no}, slices.DeleteFunc(slices.Clone(everyEntry), func(k string) bool { return k == "annulled" })},
		{"file", registry.Query{File: c.file}, []string{"salubrizare"}},
		{"another institution's entries, asked for by name", registry.Query{Institution: c.otherInst, Text: "cerere"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			if q.Institution == uuid.Nil {
				q.Institution = c.inst
			}
			q.Viewer = everyone
			if got, want := c.all(t, q), c.ordered(tt.want...); !slices.Equal(got, want) {
				t.Errorf("got  %v\nwant %v", got, want)
			}
		})
	}
}

// A confidential entry shows to holders of documents.read.confidential
// and to the registrar who registered it, to no one else.
func TestSearchConfidential(t *testing.T) {
	c := newSearchCorpus(t)
	tests := []struct {
		name      string
		viewer    registry.Viewer
		sees      []string
		doesntSee []string
	}{
		{"may read confidential", registry.Viewer{Account: uuid.New(), Confidential: true}, []string{"confidential", "confidential-own"}, nil},
		{"registered one of them", registry.Viewer{Account: c.clerk}, []string{"confidential-own"}, []string{"confidential"}},
		{"registered the other", registry.Viewer{Account: c.colleague}, []string{"confidential"}, []string{"confidential-own"}},
		{"registered neither", registry.Viewer{Account: uuid.New()}, nil, []string{"confidential", "confidential-own"}},
		{"no account", registry.Viewer{}, nil, []string{"confidential", "confidential-own"}},
	}
	for _, tt := range tests {
		for _, text := range []string{"", "cerere", "Bălan", "violenta domestica"} {
			t.Run(tt.name+"/"+text, func(t *testing.T) {
				got := c.all(t, registry.Query{Institution: c.inst, Text: text, Viewer: tt.viewer, Limit: 3})
				for _, k := range tt.doesntSee {
					if slices.Contains(got, k) {
						t.Errorf("%s sees %s: %v", tt.name, k, got)
					}
				}
				for _, k := range tt.sees {
					if text == "" || text == "cerere" { // both confidential entries are requests
						if !slices.Contains(got, k) {
							t.Errorf("%s does not see %s: %v", tt.name, k, got)
						}
					}
				}
				for _, k := range got {
					if c.entries[k].Confidential() && !slices.Contains(tt.sees, k) {
						t.Errorf("%s sees confidential %s", tt.name, k)
					}
				}
			})
		}
	}
}

// Walking the pages finds every match once, in order, whatever the page
// size, across entries registered at the same instant.
func TestSearchPagination(t *testing.T) {
	c := newSearchCorpus(t)
	ctx := context.Background()
	var everything []string
	rows, err := c.d.Owner.Query(ctx, `SELECT id FROM registry_entry WHERE institution_id = $1 ORDER BY registered_at DESC, id DESC`, c.inst)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		everything = append(everything, c.key[id])
	}
	tests := []struct {
		name string
		q    registry.Query
		want []string
	}{
		{"everything by 1", registry.Query{Limit: 1}, everything},
		{"everything by 2", registry.Query{Limit: 2}, everything},
		{"everything by 7 (a multiple)", registry.Query{Limit: 7}, everything},
		{"everything by 200", registry.Query{Limit: 200}, everything},
		{"a word by 2", registry.Query{Text: "cerere", Limit: 2}, c.ordered(cerere...)},
		{"a word by 3 (a multiple)", registry.Query{Text: "cerere", Limit: 3}, c.ordered(cerere...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.Institution, q.Viewer = c.inst, everyone
			if got := c.all(t, q); !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

// A page has 50 entries unless asked otherwise, and never more than 200.
// And a search first reads the newest entries (40 per entry of the page)
// for matches: matches beyond them are found all the same.
func TestSearchLimits(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	var noisy []uuid.UUID // the three oldest, newest first
	err := db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error {
		for i := range registry.MaxLimit + 5 {
			subject := "Sesizare"
			if i < 3 {
				subject = "Sesizare privind zgomotul"
			}
			e, err := registry.Record(ctx, tx, registry.Entry{Institution: f.inst, Register: f.incoming, Direction: "incoming",
				Channel: "email", Subject: subject, Sender: "Ion Popescu"}, at("2025-01-02 08:00").Add(time.Duration(i)*time.Minute))
			if err != nil {
				return err
			}
			if i < 3 {
				noisy = append([]uuid.UUID{e.ID}, noisy...)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []uuid.UUID
	q := registry.Query{Institution: f.inst, Text: "zgomot", Limit: 1}
	for range 5 {
		var page registry.Page
		err := db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) (err error) {
			page, err = registry.Search(ctx, tx, q)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entries {
			got = append(got, e.ID)
		}
		if q.After = page.Next; q.After == "" {
			break
		}
	}
	if !slices.Equal(got, noisy) {
		t.Errorf("the three oldest matches, a page each: got %v, want %v", got, noisy)
	}
	tests := []struct {
		limit, want int
	}{{0, registry.DefaultLimit}, {-1, registry.DefaultLimit}, {10, 10}, {registry.MaxLimit, registry.MaxLimit}, {registry.MaxLimit + 1, registry.MaxLimit}, {1 << 30, registry.MaxLimit}}
	for _, tt := range tests {
		var page registry.Page
		err := db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) (err error) {
			page, err = registry.Search(ctx, tx, registry.Query{Institution: f.inst, Text: "sesizare", Limit: tt.limit})
			return err
		})
		if err != nil {
			t.Fatalf("limit %d: %v", tt.limit, err)
		}
		if len(page.Entries) != tt.want || page.Next == "" {
			t.Errorf("limit %d: %d entries, next %q; want %d and a next page", tt.limit, len(page.Entries), page.Next, tt.want)
		}
	}
}

func TestSearchRefusesBadQueries(t *testing.T) {
	c := newSearchCorpus(t)
	ctx := context.Background()
	var good string
	err := db.TenantTx(ctx, c.d.App, c.inst, func(tx pgx.Tx) error {
		page, err := registry.Search(ctx, tx, registry.Query{Institution: c.inst, Limit: 1})
		good = page.Next
		return err
	})
	if err != nil || good == "" {
		t.Fatalf("first page: next %q, %v", good, err)
	}
	tests := []struct {
		name string
		q    registry.Query
		want error
	}{
		{"not base64", registry.Query{Institution: c.inst, After: "not a cursor!"}, registry.ErrBadCursor},
		{"too short", registry.Query{Institution: c.inst, After: good[:len(good)-4]}, registry.ErrBadCursor},
		{"too long", registry.Query{Institution: c.inst, After: good + "AAAA"}, registry.ErrBadCursor},
		{"padded", registry.Query{Institution: c.inst, After: good + "="}, registry.ErrBadCursor},
		{"with a line break", registry.Query{Institution: c.inst, After: good[:10] + "\n" + good[10:]}, registry.ErrBadCursor},
		{"another version", registry.Query{Institution: c.inst, After: "Ag" + good[2:]}, registry.ErrBadCursor},
		{"standard alphabet", registry.Query{Institution: c.inst, After: good[:len(good)-2] + "+/"}, registry.ErrBadCursor},
		{"no institution", registry.Query{}, registry.ErrBadQuery},
		{"unknown direction", registry.Query{Institution: c.inst, Direction: "sideways"}, registry.ErrBadQuery},
		{"a year out of range", registry.Query{Institution: c.inst, Year: -2025}, registry.ErrBadQuery},
		{"too long a text", registry.Query{Institution: c.inst, Text: strings.Repeat("cerere ", registry.MaxTextLen/7+1)}, registry.ErrBadQuery},
		{"too long a party", registry.Query{Institution: c.inst, Party: strings.Repeat("Popescu ", registry.MaxTextLen/8+1)}, registry.ErrBadQuery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			err := db.TenantTx(ctx, c.d.App, c.inst, func(tx pgx.Tx) error {
				_, err := registry.Search(ctx, tx, q)
				return err
			})
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}
