package registry

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Search limits: a page has DefaultLimit entries unless the query asks for
// another number, and never more than MaxLimit. Text and Party are at most
// MaxTextLen bytes: a search box's worth, which keeps the work of turning
// them into a text search query (once per search, word by word) small.
const (
	DefaultLimit = 50
	MaxLimit     = 200
	MaxTextLen   = 1000
)

// Search errors, usable with errors.Is.
var (
	// ErrBadCursor: Query.After is not a cursor Search gave out.
	ErrBadCursor = errors.New("malformed search cursor")
	// ErrBadQuery: the query lacks its institution, has a direction or
	// year that cannot be, or too long a text.
	ErrBadQuery = errors.New("invalid search query")
)

// Query selects registry entries. Zero fields do not filter; every filter
// given must hold.
type Query struct {
	// Institution is required. Row-level security limits the transaction
	// to its own institution anyway; this one also picks the index.
	Institution uuid.UUID
	// Text is searched in the subject, sender and recipient and in the text
	// of the entry's documents, in Romanian: with or without diacritics, in
	// any case, in any inflection ("cerere" finds "cererii", "autorizatiei"
	// finds "autorizație"; see ghiseu_search_query_restored in migration
	// 006). It is read as people type into a search box: words (all must
	// occur), "a phrase", -excluded, or. A text of stop words only matches
	// nothing.
	Text string
	// Number and Year are the registration number and year (1 to 9999),
	// exactly.
	Number int64
	Year   int
	// Register restricts to one register.
	Register uuid.UUID
	// From and To bound the registration time: From <= registered_at < To.
	From, To time.Time
	// Party is searched in the sender and recipient only, as Text is.
	Party string
	// Direction is incoming, outgoing or internal.
	Direction string
	// Annulled: nil for both, else only annulled (true) or only valid (false) entries.
	Annulled *bool
	// File restricts to the entries filed in one file of the filing plan.
	File uuid.UUID
	// Viewer is who searches: it decides whether confidential entries show.
	Viewer Viewer
	// After is the Next of the previous page; empty for the first page.
	After string
	// Limit is the page size: 0 means DefaultLimit, more than MaxLimit means MaxLimit.
	Limit int
}

// Viewer is the person a search runs for.
type Viewer struct {
	Account uuid.UUID
	// Confidential: the viewer holds documents.read.confidential and sees
	// confidential entries. Without it, a confidential entry shows only to
	// the account that registered it.
	Confidential bool
}

// Page is one page of results, newest first.
type Page struct {
	Entries []Entry
	// Next is the cursor of the following page (Query.After), or empty on
	// the last page. It is opaque and safe in a URL.
	Next string
}

// Search returns the entries matching q, newest first (registration time,
// then id), a page at a time: keyset pagination, so a page costs the same
// however deep it is, and entries registered meanwhile never shift a page.
// It runs in tx, which row-level security limits to one institution.
//
// How it stays fast on millions of entries (measured in BENCHMARKS.md):
//   - the text conditions can be GIN index conditions on the stored search
//     vectors (search, content_search, party_search), which under
//     row-level security needs tsvector @@ tsquery to be LEAKPROOF
//     (migration 006, section "Search");
//   - a text search first looks among the newest entries only, a bounded
//     read, and is done when they fill the page (a common word); only
//     otherwise is the planner left to choose, and then its choice is
//     between reading the registration-time index and the text indexes for
//     a word found in fewer than one entry in probeRatio;
//   - every query is planned with its actual values (an unnamed statement,
//     never a cached generic plan), so that choice rests on the word's
//     frequency in the statistics;
//   - a year is also given as a range of registration times, which the
//     planner can see is correlated with the order of the results;
//   - there is no OFFSET and no COUNT.
//
// A contradictory combination of filters (a register's entries of a
// direction it never has) finds nothing only after reading the register's
// entries; callers bound a search's time with their statement timeout.
func Search(ctx context.Context, tx pgx.Tx, q Query) (Page, error) {
	c, err := conditions(q)
	if err != nil {
		return Page{}, fmt.Errorf("search: %w", err)
	}
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	// One more than the page, to know whether there is a next one without
	// counting.
	want := limit + 1

	var entries []Entry
	if len(c.text) > 0 && q.Number == 0 && q.File == uuid.Nil {
		// First the newest entries of the window (probeRatio per entry
		// wanted: 2,040 for a page of 50, read along the registration-time
		// index in a few milliseconds, and the most read ones, so in
		// memory): when enough of them match, they are the page. A query
		// matching one entry in probeRatio or more is served so, whatever
		// the planner would estimate for it: it multiplies the frequencies
		// of the words of a query, so "ajutor social", which go together,
		// look rare to it, and it would fetch and sort all their entries.
		// (A number or a file has an index that finds its few entries at
		// once.)
		entries, err = query(ctx, tx, `SELECT `+EntryColumns+` FROM (SELECT * FROM registry_entry e WHERE `+placeholder+
			` ORDER BY e.registered_at DESC, e.id DESC LIMIT `+placeholder+`) e WHERE `+placeholder+
			` ORDER BY e.registered_at DESC, e.id DESC LIMIT `+placeholder,
			all(c.window), fixed(want*probeRatio), all(slices.Concat(c.filters, c.text)), fixed(want))
		if err != nil {
			return Page{}, err
		}
	}
	if len(entries) < want {
		// Rarer: the planner's choice, the text indexes for a rare word.
		entries, err = query(ctx, tx, `SELECT `+EntryColumns+` FROM registry_entry e WHERE `+placeholder+
			` ORDER BY e.registered_at DESC, e.id DESC LIMIT `+placeholder, all(slices.Concat(c.window, c.filters, c.text)), fixed(want))
		if err != nil {
			return Page{}, err
		}
	}
	var page Page
	if len(entries) > limit {
		entries = entries[:limit]
		last := entries[limit-1]
		page.Next = encodeCursor(last.RegisteredAt, last.ID)
	}
	page.Entries = entries
	return page, nil
}

// probeRatio: the first query of a text search reads the newest
// probeRatio × (page + 1) entries of its window.
const probeRatio = 40

// A cond is one condition of a search: a fixed SQL fragment over
// registry_entry e, which asks arg for the placeholder of each of its
// values. Placeholders are numbered per statement as the fragments are
// written, so the same conditions serve both queries of a search.
type cond func(arg func(v any) string) string

// searchConditions are the conditions of a search, in three kinds.
type searchConditions struct {
	// window: the institution and the ranges of registration time (the
	// cursor, From, To, the year), which the (institution_id,
	// registered_at DESC, id DESC) index serves as a range, in order.
	window []cond
	// filters: the other conditions on columns.
	filters []cond
	// text: the text searches, which the GIN indexes serve.
	text []cond
}

// conditions turns q into the conditions of a search.
func conditions(q Query) (searchConditions, error) {
	var c searchConditions
	if q.Institution == uuid.Nil {
		return c, fmt.Errorf("%w: no institution", ErrBadQuery)
	}
	if len(q.Text) > MaxTextLen || len(q.Party) > MaxTextLen {
		return c, fmt.Errorf("%w: text or party longer than %d bytes", ErrBadQuery, MaxTextLen)
	}
	window := func(f cond) { c.window = append(c.window, f) }
	filter := func(f cond) { c.filters = append(c.filters, f) }
	window(func(arg func(any) string) string { return "e.institution_id = " + arg(q.Institution) + "::uuid" })
	if t := strings.TrimSpace(q.Text); t != "" {
		c.text = append(c.text, func(arg func(any) string) string {
			p := arg(t)
			return "(e.search @@ ghiseu_search_query_restored(" + p + "::text) OR e.content_search @@ ghiseu_search_query_restored(" + p + "::text))"
		})
	}
	if p := strings.TrimSpace(q.Party); p != "" {
		c.text = append(c.text, func(arg func(any) string) string {
			return "e.party_search @@ ghiseu_search_query_restored(" + arg(p) + "::text)"
		})
	}
	if q.Number != 0 {
		filter(func(arg func(any) string) string { return "e.number = " + arg(q.Number) + "::bigint" })
	}
	if q.Year != 0 {
		if q.Year < 1 || q.Year > 9999 {
			return c, fmt.Errorf("%w: year %d", ErrBadQuery, q.Year)
		}
		filter(func(arg func(any) string) string { return "e.year = " + arg(q.Year) + "::integer" })
		// The same year as a range of registration times, a day wider on
		// each side than the year in UTC so that it holds in any time zone
		// (the year is the institution's). To the planner the year column
		// looks spread over all time, so for an old year it would read
		// every newer entry first; the range starts it at the year.
		from := time.Date(q.Year, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
		window(func(arg func(any) string) string {
			return "e.registered_at >= " + arg(from) + "::timestamptz AND e.registered_at < " + arg(from.AddDate(1, 0, 2)) + "::timestamptz"
		})
	}
	if q.Register != uuid.Nil {
		filter(func(arg func(any) string) string { return "e.register_id = " + arg(q.Register) + "::uuid" })
	}
	if !q.From.IsZero() {
		window(func(arg func(any) string) string { return "e.registered_at >= " + arg(q.From) + "::timestamptz" })
	}
	if !q.To.IsZero() {
		window(func(arg func(any) string) string { return "e.registered_at < " + arg(q.To) + "::timestamptz" })
	}
	switch q.Direction {
	case "":
	case "incoming", "outgoing", "internal":
		filter(func(arg func(any) string) string { return "e.direction = " + arg(q.Direction) + "::text" })
	default:
		return c, fmt.Errorf("%w: unknown direction %q", ErrBadQuery, q.Direction)
	}
	if q.Annulled != nil {
		if *q.Annulled {
			filter(func(func(any) string) string { return "e.annulled_at IS NOT NULL" })
		} else {
			filter(func(func(any) string) string { return "e.annulled_at IS NULL" })
		}
	}
	if q.File != uuid.Nil {
		filter(func(arg func(any) string) string { return "e.file_id = " + arg(q.File) + "::uuid" })
	}
	if !q.Viewer.Confidential {
		if q.Viewer.Account != uuid.Nil {
			filter(func(arg func(any) string) string {
				return "(e.confidentiality <> 'confidential' OR e.registered_by = " + arg(q.Viewer.Account) + "::uuid)"
			})
		} else {
			filter(func(func(any) string) string { return "e.confidentiality <> 'confidential'" })
		}
	}
	if q.After != "" {
		at, id, err := decodeCursor(q.After)
		if err != nil {
			return c, err
		}
		// A row comparison, which the index takes as a range: the page
		// starts right after the previous one's last entry.
		window(func(arg func(any) string) string {
			return "(e.registered_at, e.id) < (" + arg(at) + "::timestamptz, " + arg(id) + "::uuid)"
		})
	}
	return c, nil
}

// placeholder marks where query writes its parts into a statement.
const placeholder = "\x00"

// all is the conjunction of conds.
func all(conds []cond) cond {
	return func(arg func(any) string) string {
		parts := make([]string, len(conds))
		for i, c := range conds {
			parts[i] = c(arg)
		}
		return strings.Join(parts, " AND ")
	}
}

// fixed is a value as a parameter (a limit).
func fixed(v int) cond {
	return func(arg func(any) string) string { return arg(v) + "::integer" }
}

// query writes parts into the placeholders of sql, numbering their
// parameters, and runs it. The first argument is not a parameter: it makes
// pgx send an unnamed statement, so PostgreSQL plans each search with its
// values (text search conditions are constant-folded and their selectivity
// read from the statistics) instead of settling on a generic plan after
// five runs.
func query(ctx context.Context, tx pgx.Tx, sql string, parts ...cond) ([]Entry, error) {
	args := []any{pgx.QueryExecModeExec}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args)-1)
	}
	pieces := strings.Split(sql, placeholder)
	if len(pieces) != len(parts)+1 {
		panic("registry: search statement and its parts do not agree")
	}
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(pieces[i])
		b.WriteString(p(arg))
	}
	b.WriteString(pieces[len(parts)])
	rows, err := tx.Query(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("search entries: %w", err)
	}
	entries, err := pgx.CollectRows(rows, ScanEntry)
	if err != nil {
		return nil, fmt.Errorf("search entries: %w", err)
	}
	return entries, nil
}

// A cursor is the registration time (microseconds, PostgreSQL's precision)
// and id of the last entry of a page, after a version byte, in unpadded
// URL-safe base64.
const cursorVersion = 1

const cursorLen = 1 + 8 + 16

func encodeCursor(at time.Time, id uuid.UUID) string {
	b := make([]byte, 0, cursorLen)
	b = append(b, cursorVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(at.UnixMicro()))
	b = append(b, id[:]...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (time.Time, uuid.UUID, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != cursorLen || b[0] != cursorVersion {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	// The decoder skips line breaks; a cursor has one spelling only.
	if base64.RawURLEncoding.EncodeToString(b) != s {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	at := time.UnixMicro(int64(binary.BigEndian.Uint64(b[1:9])))
	id, err := uuid.FromBytes(b[9:])
	if err != nil {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	return at, id, nil
}
