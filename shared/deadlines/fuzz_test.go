package deadlines

import (
	"testing"
	"time"
)

// checkDeadline checks that end is the one day the rules allow for a term of n
// days registered on start, restating the rules apart from count:
//   - calendar days: the first day not earlier than start+n+1 ("zile libere",
//     Civil Procedure Code art. 181(1) pt. 2) that is a working day (art. 181(2));
//   - working days: a working day, with exactly n working days in (start, end].
func checkDeadline(t *testing.T, start Date, n int, workingDays bool, end Date) {
	t.Helper()
	if end.Before(start.AddDays(n)) {
		t.Fatalf("deadline %v before registration day %v + %d days", end, start, n)
	}
	if !IsWorkingDay(end) {
		t.Fatalf("deadline %v (%v) is not a working day", end, end.Weekday())
	}
	if got := DaysLeft(start, end); got < n {
		t.Fatalf("DaysLeft(%v, %v) = %d < %d", start, end, got, n)
	}
	if workingDays {
		count := 0
		for day := start.AddDays(1); !day.After(end); day = day.AddDays(1) {
			if IsWorkingDay(day) {
				count++
			}
		}
		if count != n {
			t.Fatalf("%d working days in (%v, %v], want %d", count, start, end, n)
		}
		return
	}
	first := start.AddDays(n + 1)
	if end.Before(first) {
		t.Fatalf("deadline %v before %v: the last day of a term in zile libere counts", end, first)
	}
	for day := first; day.Before(end); day = day.AddDays(1) {
		if IsWorkingDay(day) {
			t.Fatalf("deadline %v, but %v is an earlier working day after the term", end, day)
		}
	}
}

// TestDeadlineEveryDay checks every registration day of 2023–2030 for the
// legal regimes against the restated rules.
func TestDeadlineEveryDay(t *testing.T) {
	regimes := []struct {
		r Regime
		n int
	}{
		{petition, PetitionDays},
		{pi, PublicInformationDays},
		{piRefuse, PublicInformationRefusalDays},
		{pi30, PublicInformationMaxDays},
		{Regime{Kind: Custom, Days: 7, WorkingDays: true}, 7},
	}
	for day := d(2023, time.January, 1); day.Year <= 2030; day = day.AddDays(1) {
		at := time.Date(day.Year, day.Month, day.Day, 23, 30, 0, 0, romania)
		for _, rg := range regimes {
			end, err := Deadline(at, rg.r)
			if err != nil {
				t.Fatal(err)
			}
			checkDeadline(t, day, rg.n, rg.r.WorkingDays, end)
			// A calendar term never moves more than four days past its
			// N+1-th day: the longest runs of non-working days are four
			// long (Good Friday to Easter Monday; 1–4 January when 1 January
			// is a Thursday; 6 January on a Thursday to Sunday 9).
			if !rg.r.WorkingDays && DaysLeft(day.AddDays(rg.n+1), end) > 4 {
				t.Fatalf("%v + %d: deadline %v too late", day, rg.n, end)
			}
		}
	}
}

func FuzzDeadline(f *testing.F) {
	f.Add(int64(1772445600), 1, 0, false, 15)   // 2 March 2026, petition
	f.Add(int64(1774816200), 2, 10, false, 20)  // 29 March 2026 20:30 UTC, PI
	f.Add(int64(1798752600), 2, 5, false, 0)    // 31 December 2026 23:30, PI refusal
	f.Add(int64(1775761200), 3, 5, true, 3)     // 9 April 2026 22:00, 5 working days
	f.Add(int64(1830297600), 3, 3660, true, 0)  // 1 January 2028, the longest custom term
	f.Add(int64(0), 0, -1, true, -1)            // invalid everything
	f.Add(int64(-2208988800), 3, 1, false, 100) // 1900
	f.Fuzz(func(t *testing.T, sec int64, kind, days int, workingDays bool, extra int) {
		// Registration instants from 1900 to 2200.
		const lo, span = -2208988800, 300 * 365 * 86400
		sec = lo + ((sec%span)+span)%span
		at := time.Unix(sec, 0)
		r := Regime{Kind: Kind(kind), Days: days, WorkingDays: workingDays}

		end, err := Deadline(at, r)
		if verr := r.Validate(); (err == nil) != (verr == nil) {
			t.Fatalf("Deadline error %v, Validate error %v", err, verr)
		}
		if err != nil {
			return
		}
		n := days
		if n == 0 {
			n = rules()[r.Kind].defaultDays
		}
		start := DateOf(at)
		checkDeadline(t, start, n, workingDays, end)

		ext, err := Extended(at, r, extra)
		if err != nil {
			return
		}
		if ext.Before(end) {
			t.Fatalf("extended deadline %v before the deadline %v", ext, end)
		}
		checkDeadline(t, start, n+extra, workingDays, ext)
	})
}
