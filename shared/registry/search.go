package registry

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
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
//   - every query is planned with its actual values (an unnamed statement,
//     never a cached generic plan): a common word is best read along the
//     registration-time index, stopping at the page's last entry, a rare
//     one through the text index and then sorted, and only the values and
//     the statistics tell which;
//   - a year is also given as a range of registration times, which the
//     planner can see is correlated with the order of the results;
//   - there is no OFFSET and no COUNT.
//
// A contradictory combination of filters (a register's entries of a
// direction it never has) finds nothing only after reading the register's
// entries; callers bound a search's time with their statement timeout.
func Search(ctx context.Context, tx pgx.Tx, q Query) (Page, error) {
	if q.Institution == uuid.Nil {
		return Page{}, fmt.Errorf("search: %w: no institution", ErrBadQuery)
	}
	if len(q.Text) > MaxTextLen || len(q.Party) > MaxTextLen {
		return Page{}, fmt.Errorf("search: %w: text or party longer than %d bytes", ErrBadQuery, MaxTextLen)
	}
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}

	// Every condition is a fixed fragment; only the parameter numbers vary.
	// The first argument is not a parameter: it makes pgx send an unnamed
	// statement, so PostgreSQL plans each search with its values (text
	// search conditions are constant-folded and their selectivity read from
	// the statistics) instead of settling on a generic plan after five runs.
	w := where{args: []any{pgx.QueryExecModeExec}}
	w.add("e.institution_id = " + w.param(q.Institution) + "::uuid")
	if t := strings.TrimSpace(q.Text); t != "" {
		p := w.param(t)
		w.add("(e.search @@ ghiseu_search_query_restored(" + p + "::text) OR e.content_search @@ ghiseu_search_query_restored(" + p + "::text))")
	}
	if p := strings.TrimSpace(q.Party); p != "" {
		w.add("e.party_search @@ ghiseu_search_query_restored(" + w.param(p) + "::text)")
	}
	if q.Number != 0 {
		w.add("e.number = " + w.param(q.Number) + "::bigint")
	}
	if q.Year != 0 {
		if q.Year < 1 || q.Year > 9999 {
			return Page{}, fmt.Errorf("search: %w: year %d", ErrBadQuery, q.Year)
		}
		w.add("e.year = " + w.param(q.Year) + "::integer")
		// The same year as a range of registration times, a day wider on
		// each side than the year in UTC so that it holds in any time zone
		// (the year is the institution's). To the planner the year column
		// looks spread over all time, so for an old year it would read
		// every newer entry first; the range starts it at the year.
		from := time.Date(q.Year, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
		w.add("e.registered_at >= " + w.param(from) + "::timestamptz")
		w.add("e.registered_at < " + w.param(from.AddDate(1, 0, 2)) + "::timestamptz")
	}
	if q.Register != uuid.Nil {
		w.add("e.register_id = " + w.param(q.Register) + "::uuid")
	}
	if !q.From.IsZero() {
		w.add("e.registered_at >= " + w.param(q.From) + "::timestamptz")
	}
	if !q.To.IsZero() {
		w.add("e.registered_at < " + w.param(q.To) + "::timestamptz")
	}
	switch q.Direction {
	case "":
	case "incoming", "outgoing", "internal":
		w.add("e.direction = " + w.param(q.Direction) + "::text")
	default:
		return Page{}, fmt.Errorf("search: %w: unknown direction %q", ErrBadQuery, q.Direction)
	}
	if q.Annulled != nil {
		if *q.Annulled {
			w.add("e.annulled_at IS NOT NULL")
		} else {
			w.add("e.annulled_at IS NULL")
		}
	}
	if q.File != uuid.Nil {
		w.add("e.file_id = " + w.param(q.File) + "::uuid")
	}
	if !q.Viewer.Confidential {
		if q.Viewer.Account != uuid.Nil {
			w.add("(e.confidentiality <> 'confidential' OR e.registered_by = " + w.param(q.Viewer.Account) + "::uuid)")
		} else {
			w.add("e.confidentiality <> 'confidential'")
		}
	}
	if q.After != "" {
		at, id, err := decodeCursor(q.After)
		if err != nil {
			return Page{}, fmt.Errorf("search: %w", err)
		}
		// A row comparison, which the (institution_id, registered_at DESC,
		// id DESC) index takes as a range: the page starts right after the
		// previous one's last entry.
		w.add("(e.registered_at, e.id) < (" + w.param(at) + "::timestamptz, " + w.param(id) + "::uuid)")
	}
	// One more than the page, to know whether there is a next one without
	// counting.
	sql := `SELECT ` + EntryColumns + ` FROM registry_entry e WHERE ` + strings.Join(w.conds, " AND ") +
		` ORDER BY e.registered_at DESC, e.id DESC LIMIT ` + w.param(limit+1) + `::integer`

	rows, err := tx.Query(ctx, sql, w.args...)
	if err != nil {
		return Page{}, fmt.Errorf("search entries: %w", err)
	}
	entries, err := pgx.CollectRows(rows, ScanEntry)
	if err != nil {
		return Page{}, fmt.Errorf("search entries: %w", err)
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

// where collects the conditions of a search and their parameters.
type where struct {
	conds []string
	args  []any // args[0] is the query mode, not a parameter
}

// param adds a parameter and returns its placeholder.
func (w *where) param(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args)-1)
}

func (w *where) add(cond string) { w.conds = append(w.conds, cond) }

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
