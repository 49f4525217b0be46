package registerexport

import (
	"errors"
	"testing"
)

// TestCappedBoundary checks the cap exactly, without laying out a PDF:
// MaxPDFRows rows pass, the next one fails.
func TestCappedBoundary(t *testing.T) {
	tests := []struct {
		rows    int
		wantErr bool
	}{
		{0, false},
		{MaxPDFRows - 1, false},
		{MaxPDFRows, false},
		{MaxPDFRows + 1, true},
		{MaxPDFRows + 50, true},
	}
	for _, tt := range tests {
		source := func(yield func(int, error) bool) {
			for i := range tt.rows {
				if !yield(i, nil) {
					return
				}
			}
		}
		passed, failed := 0, false
		for cells, err := range capped(source, func(int) []string { return []string{"x"} }) {
			if err != nil {
				if !errors.Is(err, ErrTooManyRows) {
					t.Fatalf("%d rows: error %v", tt.rows, err)
				}
				failed = true
				break
			}
			if len(cells) != 1 {
				t.Fatalf("cells %q", cells)
			}
			passed++
		}
		if failed != tt.wantErr || passed != min(tt.rows, MaxPDFRows) {
			t.Errorf("%d rows: %d passed, failed = %v; want %d passed, failed = %v",
				tt.rows, passed, failed, min(tt.rows, MaxPDFRows), tt.wantErr)
		}
	}
}
