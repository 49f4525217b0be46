package main

import "testing"

// The status lookup takes the number as the receipt and the mails print
// it, with its year, or number and year apart.
func TestParseRegistration(t *testing.T) {
	tests := []struct {
		number, year     string
		wantNumber       int64
		wantYear         int
		numberOK, yearOK bool
	}{
		{"9", "2026", 9, 2026, true, true},
		{"9/2026", "", 9, 2026, true, true},
		{" 9 / 2026 ", "", 9, 2026, true, true},
		{"Nr. 9/2026", "", 9, 2026, true, true},
		{"nr 9", "2026", 9, 2026, true, true},
		{"9/2026", "2026", 9, 2026, true, true},
		{"9/2026", "2025", 9, 2026, true, false},
		{"9/1999", "", 9, 1999, true, false},
		{"9", "", 9, 0, false, true},
		{"0/2026", "", 0, 2026, false, true},
		{"", "2026", 0, 0, false, true},
		{"nouă", "2026", 0, 0, false, true},
		{"9/26", "", 0, 0, false, true},
		{"9", "douămii", 9, 0, true, false},
		{"-9", "2026", 0, 0, false, true},
	}
	for _, tt := range tests {
		n, y, nOK, yOK := parseRegistration(tt.number, tt.year)
		if nOK != tt.numberOK || yOK != tt.yearOK || (nOK && n != tt.wantNumber) || (yOK && nOK && y != tt.wantYear) {
			t.Errorf("parseRegistration(%q, %q) = %d, %d, %v, %v; want %d, %d, %v, %v", tt.number, tt.year, n, y, nOK, yOK,
				tt.wantNumber, tt.wantYear, tt.numberOK, tt.yearOK)
		}
	}
}
