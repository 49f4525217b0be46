package load_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// searchKind is one kind of search people make in a registry, in a few
// variants, with what every entry it returns must satisfy.
type searchKind struct {
	name string
	// queries are the variants; the benchmark takes them in turn.
	queries []registry.Query
	// check tells why an entry returned for q does not match it, or "".
	check func(q registry.Query, e registry.Entry) string
	// index, when set, is an index the kind must reach (the small test
	// checks it): a text search reading the whole institution instead would
	// pass every other check and fail only at scale.
	index string
}

// searchViewer is a registrar without documents.read.confidential: the
// most common searcher, and the one for whom confidentiality filters.
func (s searchData) searchViewer() registry.Viewer {
	return registry.Viewer{Account: s.registrars[0]}
}

// searchKinds is the benchmark's mix. The words are the generated data's:
// see searchEntriesSQL.
func (s searchData) searchKinds() []searchKind {
	viewer := s.searchViewer()
	q := func(q registry.Query) registry.Query {
		q.Institution, q.Viewer = s.inst, viewer
		return q
	}
	var kinds []searchKind

	common := []string{"cerere", "certificat", "strada", "privind"}
	var commonQ []registry.Query
	for _, w := range common {
		commonQ = append(commonQ, q(registry.Query{Text: w}))
	}
	kinds = append(kinds, searchKind{name: "common-word", queries: commonQ, check: textCheck})

	kinds = append(kinds, searchKind{name: "rare-word", index: "registry_entry_search", check: textCheck, queries: []registry.Query{
		q(registry.Query{Text: "expropriere"}), q(registry.Query{Text: "arheologica"}), q(registry.Query{Text: "expropriere utilitate publica"}),
	}})

	var names []registry.Query
	for _, n := range []string{"Stefan Serban", "Ionut Turcanu", "Madalina Stanescu", "Razvan Lazar", "Catalin Branzei", "Gheorghita Capraru"} {
		names = append(names, q(registry.Query{Text: n}))
	}
	kinds = append(kinds, searchKind{name: "name-without-diacritics", queries: names, check: textCheck})

	var parties []registry.Query
	for _, p := range []string{"Popescu", "Muresan", "Sarbu", "Agrotim", "Apa Canal", "Ioana Lupsa"} {
		parties = append(parties, q(registry.Query{Party: p}))
	}
	kinds = append(kinds, searchKind{name: "party", queries: parties, index: "registry_entry_party_search", check: func(q registry.Query, e registry.Entry) string {
		return wordsIn(q.Party, e.Sender+" "+e.Recipient)
	}})

	var ranges []registry.Query
	for i, w := range []string{"construire", "certificat urbanism", "ajutor social", "adeverinta", "canalizare"} {
		from := time.Date(2020+i, time.Month(1+3*i%12), 1, 0, 0, 0, 0, time.UTC)
		ranges = append(ranges, q(registry.Query{Text: w, From: from, To: from.AddDate(0, 3, 0)}))
	}
	kinds = append(kinds, searchKind{name: "date-range-and-text", queries: ranges, check: func(q registry.Query, e registry.Entry) string {
		if e.RegisteredAt.Before(q.From) || !e.RegisteredAt.Before(q.To) {
			return fmt.Sprintf("registered at %s, outside [%s, %s)", e.RegisteredAt, q.From, q.To)
		}
		return textCheck(q, e)
	}})

	// Numbers every register gives in a year: the smallest register (3%
	// of the entries) numbers about s.n*3/100/6.5 a year.
	top := max(3, s.n*3/100/7)
	var numbers []registry.Query
	for i := range 6 {
		numbers = append(numbers, q(registry.Query{Number: int64(1 + (i*7919)%top), Year: 2020 + i}))
	}
	kinds = append(kinds, searchKind{name: "number", queries: numbers, index: "registry_entry_number", check: func(q registry.Query, e registry.Entry) string {
		if e.Number != q.Number || e.Year != q.Year {
			return fmt.Sprintf("number %d/%d", e.Number, e.Year)
		}
		return ""
	}})

	no := false
	var registers []registry.Query
	for _, r := range s.registers {
		registers = append(registers, q(registry.Query{Register: r, Annulled: &no}))
	}
	kinds = append(kinds, searchKind{name: "register", queries: registers, check: func(q registry.Query, e registry.Entry) string {
		if e.Register != q.Register || e.AnnulledAt != nil {
			return fmt.Sprintf("register %s, annulled at %v", e.Register, e.AnnulledAt)
		}
		return ""
	}})
	// Browsing a register's year, old years included: the registration
	// order and the year go together, which the planner must be told.
	var years []registry.Query
	for i := range 6 {
		years = append(years, q(registry.Query{Register: s.registers[i%len(s.registers)], Year: 2020 + i}))
	}
	kinds = append(kinds, searchKind{name: "register-and-year", queries: years, check: func(q registry.Query, e registry.Entry) string {
		if e.Register != q.Register || e.Year != q.Year {
			return fmt.Sprintf("register %s, year %d", e.Register, e.Year)
		}
		return ""
	}})
	return kinds
}

// secondPages turns each query of kind into the query of its second page,
// by running the first.
func (s searchData) secondPages(ctx context.Context, kind searchKind) (searchKind, error) {
	next := kind
	next.name = kind.name + "-second-page"
	next.queries = nil
	next.index = ""
	for _, q := range kind.queries {
		page, _, err := s.search(ctx, q, nil)
		if err != nil {
			return searchKind{}, err
		}
		if page.Next == "" {
			return searchKind{}, fmt.Errorf("%+v: a single page", q)
		}
		q.After = page.Next
		next.queries = append(next.queries, q)
	}
	return next, nil
}

// search runs q as the application role in a tenant transaction, as a
// function does, and returns the page and the time the transaction took.
// then, if not nil, runs in the same transaction after the search.
func (s searchData) search(ctx context.Context, q registry.Query, then func(pgx.Tx) error) (registry.Page, time.Duration, error) {
	var page registry.Page
	started := time.Now()
	err := db.TenantTx(ctx, s.d.App, s.inst, func(tx pgx.Tx) (err error) {
		if page, err = registry.Search(ctx, tx, q); err != nil {
			return err
		}
		if then != nil {
			return then(tx)
		}
		return nil
	})
	took := time.Since(started)
	if err != nil {
		return registry.Page{}, 0, fmt.Errorf("search %+v: %w", q, err)
	}
	return page, took, nil
}

// verify tells what is wrong with a page of results of q, or "".
func (s searchData) verify(kind searchKind, q registry.Query, page registry.Page) string {
	limit := q.Limit
	if limit == 0 {
		limit = registry.DefaultLimit
	}
	if len(page.Entries) > limit {
		return fmt.Sprintf("%d entries, limit %d", len(page.Entries), limit)
	}
	for i, e := range page.Entries {
		switch {
		case e.Institution != s.inst:
			return fmt.Sprintf("entry %s of institution %s", e.ID, e.Institution)
		case e.Confidential() && !q.Viewer.Confidential && e.RegisteredBy != q.Viewer.Account:
			return fmt.Sprintf("confidential entry %s registered by %s shown to %s", e.ID, e.RegisteredBy, q.Viewer.Account)
		case i > 0 && !newerFirst(page.Entries[i-1], e):
			return fmt.Sprintf("entry %s after %s: not newest first", e.ID, page.Entries[i-1].ID)
		}
		if why := kind.check(q, e); why != "" {
			return fmt.Sprintf("entry %d/%d (%s, %q from %q to %q): %s", e.Number, e.Year, e.ID, e.Subject, e.Sender, e.Recipient, why)
		}
	}
	return ""
}

func newerFirst(a, b registry.Entry) bool {
	if !a.RegisteredAt.Equal(b.RegisteredAt) {
		return a.RegisteredAt.After(b.RegisteredAt)
	}
	return strings.Compare(a.ID.String(), b.ID.String()) > 0
}

// textCheck: every word of the query occurs in the entry as the start of
// a word, once both are unaccented and in lower case. The stemming is
// PostgreSQL's; this only makes sure the results have to do with the
// query. (The mix's words are not in the letter attached to a tenth of the
// generated entries, whose text is not in Entry.)
func textCheck(q registry.Query, e registry.Entry) string {
	return wordsIn(q.Text, e.Subject+" "+e.Sender+" "+e.Recipient)
}

// wordsIn tells which word of query, shortened to the stem-like prefix of
// its first five letters, is missing from text.
func wordsIn(query, text string) string {
	t := " " + fold(text)
	for _, w := range strings.Fields(fold(query)) {
		if len(w) > 5 {
			w = w[:5]
		}
		if !strings.Contains(t, " "+w) && !strings.Contains(t, "-"+w) {
			return fmt.Sprintf("no word starting %q", w)
		}
	}
	return ""
}

// fold lowers s and strips Romanian diacritics (both the comma-below
// letters and the cedilla ones).
var fold = func() func(string) string {
	r := strings.NewReplacer("ă", "a", "â", "a", "î", "i", "ș", "s", "ş", "s", "ț", "t", "ţ", "t")
	return func(s string) string { return r.Replace(strings.ToLower(s)) }
}()

// searchVisibleTo reports whether viewer may see e: the check every result
// passes, spelled the other way round for the tests.
func searchVisibleTo(viewer registry.Viewer, e registry.Entry) bool {
	return !e.Confidential() || viewer.Confidential || (viewer.Account != uuid.Nil && e.RegisteredBy == viewer.Account)
}
