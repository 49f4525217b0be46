package fixity

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
)

// sliceQuery lists the distinct objects of a table for the next page of
// (institution_id, sha256) pairs after a cursor whose SHA-256 lies in a
// run's slice: [$3, $5), or from $3 on for the last run, the bounds being
// 8 hex digits. The pairs are read in the order of the table's
// (institution_id, sha256) index, which the page stops reading after $4 of
// them, so each page costs about its own size; then the rows of those
// pairs give the objects, each pair wholly in one page (a pair's object_key
// and size are the same in every row but for damaged data, which is then
// checked under each). Hex digits sort the same way in every collation, so
// the column's own keeps the index usable.
const sliceQuery = `WITH page AS (
		SELECT DISTINCT institution_id, sha256 FROM %[1]s
		WHERE (institution_id, sha256) > ($1, $2) AND sha256 >= $3 %[2]s
		ORDER BY institution_id, sha256 LIMIT $4)
	SELECT DISTINCT t.institution_id, t.sha256, t.object_key, t.size
	FROM page p JOIN %[1]s t ON t.institution_id = p.institution_id AND t.sha256 = p.sha256`

// pager reads one table's objects of a slice a page at a time, each page in
// a transaction of its own, so none stays open while objects are read.
type pager struct {
	query string
	args  []any  // the slice's bounds
	after Object // Institution and SHA256: the last pair of the previous page
	page  []Object
	done  bool
}

func newPager(table string, lo, hi int64) *pager {
	p := &pager{args: []any{fmt.Sprintf("%08x", lo)}}
	upper := ""
	if hi < 1<<32 {
		upper = "AND sha256 < $5"
		p.args = append(p.args, fmt.Sprintf("%08x", hi))
	}
	p.query = fmt.Sprintf(sliceQuery, table, upper)
	return p
}

// head returns the next object without taking it; ok is false at the end.
func (p *pager) head(ctx context.Context, c *Checker) (o Object, ok bool, err error) {
	if len(p.page) == 0 && !p.done {
		if err := p.fetch(ctx, c); err != nil {
			return Object{}, false, err
		}
	}
	if len(p.page) == 0 {
		return Object{}, false, nil
	}
	return p.page[0], true, nil
}

func (p *pager) pop() { p.page = p.page[1:] }

func (p *pager) fetch(ctx context.Context, c *Checker) error {
	args := append([]any{p.after.Institution, p.after.SHA256, p.args[0], c.batch()}, p.args[1:]...)
	err := db.PlatformTx(ctx, c.Pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, p.query, args...)
		if err != nil {
			return err
		}
		p.page, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Object, error) {
			var o Object
			err := r.Scan(&o.Institution, &o.SHA256, &o.Key, &o.Size)
			return o, err
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("list objects: %w", err)
	}
	slices.SortFunc(p.page, compare)
	pairs := 0
	for i, o := range p.page {
		if i == 0 || o.Institution != p.page[i-1].Institution || o.SHA256 != p.page[i-1].SHA256 {
			pairs++
		}
	}
	if pairs < c.batch() {
		p.done = true
	}
	if len(p.page) > 0 {
		p.after = p.page[len(p.page)-1]
	}
	return nil
}

// list yields the objects of the slice [lo, hi) that versions or request
// files reference, each once, in order. The two tables are paged apart and
// merged here: an object both reference (a request's file, once
// registered) is yielded once, and one that gains its version while the
// run goes on is still yielded, from whichever table's page holds it.
func (c *Checker) list(ctx context.Context, lo, hi int64, yield func(Object) error) error {
	versions := newPager("document_version", lo, hi)
	files := newPager("request_file", lo, hi)
	var last Object
	yielded := false
	for {
		v, okV, err := versions.head(ctx, c)
		if err != nil {
			return fmt.Errorf("versions: %w", err)
		}
		f, okF, err := files.head(ctx, c)
		if err != nil {
			return fmt.Errorf("request files: %w", err)
		}
		var next Object
		switch {
		case !okV && !okF:
			return nil
		case okV && (!okF || compare(v, f) <= 0):
			next = v
			versions.pop()
			if okF && compare(v, f) == 0 {
				files.pop()
			}
		default:
			next = f
			files.pop()
		}
		// The pages only move forward; this only guards the order the
		// merge relies on.
		if yielded && compare(next, last) <= 0 {
			continue
		}
		if err := yield(next); err != nil {
			return err
		}
		last, yielded = next, true
	}
}

// compare orders objects by institution and SHA-256, as the pages are
// read (uuid compares bytewise in PostgreSQL too, and hex digits sort the
// same way in every collation), then by key and size.
func compare(a, b Object) int {
	if c := bytes.Compare(a.Institution[:], b.Institution[:]); c != 0 {
		return c
	}
	if c := strings.Compare(a.SHA256, b.SHA256); c != 0 {
		return c
	}
	if c := strings.Compare(a.Key, b.Key); c != 0 {
		return c
	}
	return cmp.Compare(a.Size, b.Size)
}
