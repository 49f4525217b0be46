package load_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/registry"
)

// The benchmark's searches on a registry of 2,000 entries: each kind finds
// something, every result matches its query and is one the viewer may see,
// newest first, none of another institution; the second pages go on where
// the first ended; and the searches that must use an index do, as the
// application role under row-level security. It measures nothing: speed is
// the benchmark's (make bench, BENCHMARKS.md).
func TestSearchMix(t *testing.T) {
	s := newSearchData(t, 2000)
	ctx := context.Background()
	kinds := s.searchKinds()
	for _, k := range []string{"common-word"} {
		for _, kind := range kinds {
			if kind.name == k {
				second, err := s.secondPages(ctx, kind)
				if err != nil {
					t.Fatal(err)
				}
				kinds = append(kinds, second)
			}
		}
	}
	for _, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			found := 0
			for _, q := range kind.queries {
				var scans int64
				then := func(tx pgx.Tx) error {
					if kind.index == "" {
						return nil
					}
					// This transaction's scans, before they reach the statistics.
					return tx.QueryRow(ctx, `SELECT pg_stat_get_xact_numscans($1::regclass)`, kind.index).Scan(&scans)
				}
				page, _, err := s.search(ctx, q, then)
				if err != nil {
					t.Fatal(err)
				}
				if why := s.verify(kind, q, page); why != "" {
					t.Errorf("%+v: %s", q, why)
				}
				if kind.index != "" && len(page.Entries) > 0 && scans == 0 {
					t.Errorf("%+v did not use %s", q, kind.index)
				}
				found += len(page.Entries)
			}
			if found == 0 {
				t.Errorf("%s: no variant found anything", kind.name)
			}
		})
	}

	// Only the viewer's permission hides the confidential entries: a
	// viewer who may read them sees some of other registrars' among the
	// same results, and the common viewer none.
	t.Run("confidential", func(t *testing.T) {
		q := registry.Query{Institution: s.inst, Text: "cerere", Limit: registry.MaxLimit}
		seen := map[bool]int{}
		for _, viewer := range []registry.Viewer{s.searchViewer(), {Account: s.registrars[0], Confidential: true}} {
			q.Viewer = viewer
			page, _, err := s.search(ctx, q, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Entries {
				if !searchVisibleTo(s.searchViewer(), e) {
					seen[viewer.Confidential]++
				}
			}
		}
		if seen[false] != 0 || seen[true] == 0 {
			t.Errorf("other registrars' confidential entries among %d results: %d for the viewer without the permission, %d with it",
				registry.MaxLimit, seen[false], seen[true])
		}
	})
}
