package deadlines

import (
	"strings"
	"testing"
	"time"
)

func d(y int, m time.Month, day int) Date { return Date{y, m, day} }

func TestOrthodoxEaster(t *testing.T) {
	tests := []Date{
		// The dates the brief asks for.
		d(2024, time.May, 5), d(2025, time.April, 20), d(2026, time.April, 12),
		d(2027, time.May, 2), d(2028, time.April, 16), d(2030, time.April, 28),
		// Published calendars of the Romanian Orthodox Church.
		d(2009, time.April, 19), d(2012, time.April, 15), d(2016, time.May, 1),
		d(2018, time.April, 8), d(2020, time.April, 19), d(2021, time.May, 2),
		d(2022, time.April, 24), d(2023, time.April, 16), d(2029, time.April, 8),
		d(2031, time.April, 13),
		// 2010, 2011, 2014, 2017: Orthodox and Western Easter coincide.
		d(2010, time.April, 4), d(2011, time.April, 24), d(2014, time.April, 20), d(2017, time.April, 16),
	}
	for _, want := range tests {
		if got := OrthodoxEaster(want.Year); got != want {
			t.Errorf("OrthodoxEaster(%d) = %v, want %v", want.Year, got, want)
		}
	}
}

// TestOrthodoxEasterRange checks properties that hold for every year: Easter is
// a Sunday, and in the Julian calendar it falls between 22 March and 25 April.
func TestOrthodoxEasterRange(t *testing.T) {
	for y := -500; y <= 4100; y++ {
		e := OrthodoxEaster(y)
		if e.Weekday() != time.Sunday {
			t.Fatalf("OrthodoxEaster(%d) = %v, a %v", y, e, e.Weekday())
		}
		gap := floorDiv(y, 100) - floorDiv(y, 400) - 2
		julian := e.AddDays(-gap)
		lo, hi := d(y, time.March, 22), d(y, time.April, 25)
		if julian.Before(lo) || julian.After(hi) {
			t.Fatalf("OrthodoxEaster(%d) = %v: Julian %v outside 22 March – 25 April", y, e, julian)
		}
		if y >= 1900 && y <= 2099 && gap != 13 {
			t.Fatalf("calendar gap in %d = %d, want 13", y, gap)
		}
	}
	if gap := floorDiv(2100, 100) - floorDiv(2100, 400) - 2; gap != 14 {
		t.Fatalf("calendar gap in 2100 = %d, want 14", gap)
	}
}

type hol struct {
	m    time.Month
	day  int
	name string // a part of the name
}

func TestHolidays(t *testing.T) {
	tests := []struct {
		year int
		want []hol
	}{
		{2025, []hol{
			{time.January, 1, "Anul Nou"}, {time.January, 2, "A doua zi de Anul Nou"},
			{time.January, 6, "Bobotează"}, {time.January, 7, "Sfântul Ioan"},
			{time.January, 24, "Unirii"},
			{time.April, 18, "Vinerea Mare"}, {time.April, 20, "Prima zi de Paști"}, {time.April, 21, "A doua zi de Paști"},
			{time.May, 1, "Ziua Muncii"}, {time.June, 1, "Ziua Copilului"},
			{time.June, 8, "Prima zi de Rusalii"}, {time.June, 9, "A doua zi de Rusalii"},
			{time.August, 15, "Adormirea"}, {time.November, 30, "Andrei"}, {time.December, 1, "Națională"},
			{time.December, 25, "Prima zi de Crăciun"}, {time.December, 26, "A doua zi de Crăciun"},
		}},
		{2026, []hol{
			{time.January, 1, "Anul Nou"}, {time.January, 2, "A doua zi de Anul Nou"},
			{time.January, 6, "Bobotează"}, {time.January, 7, "Sfântul Ioan"},
			{time.January, 24, "Unirii"},
			{time.April, 10, "Vinerea Mare"}, {time.April, 12, "Prima zi de Paști"}, {time.April, 13, "A doua zi de Paști"},
			{time.May, 1, "Ziua Muncii"},
			{time.May, 31, "Prima zi de Rusalii"},
			// Children's Day and Rusalii Monday on the same day: listed once.
			{time.June, 1, "Ziua Copilului; A doua zi de Rusalii"},
			{time.August, 15, "Adormirea"}, {time.November, 30, "Andrei"}, {time.December, 1, "Națională"},
			{time.December, 25, "Prima zi de Crăciun"}, {time.December, 26, "A doua zi de Crăciun"},
		}},
		{2027, []hol{
			{time.January, 1, "Anul Nou"}, {time.January, 2, "A doua zi de Anul Nou"},
			{time.January, 6, "Bobotează"}, {time.January, 7, "Sfântul Ioan"},
			{time.January, 24, "Unirii"},
			{time.April, 30, "Vinerea Mare"}, {time.May, 1, "Ziua Muncii"},
			{time.May, 2, "Prima zi de Paști"}, {time.May, 3, "A doua zi de Paști"},
			{time.June, 1, "Ziua Copilului"},
			{time.June, 20, "Prima zi de Rusalii"}, {time.June, 21, "A doua zi de Rusalii"},
			{time.August, 15, "Adormirea"}, {time.November, 30, "Andrei"}, {time.December, 1, "Națională"},
			{time.December, 25, "Prima zi de Crăciun"}, {time.December, 26, "A doua zi de Crăciun"},
		}},
		// Before 2024 there was no 6 and 7 January; before 2018 no Good
		// Friday; before 2017 no 24 January or 1 June.
		{2016, []hol{
			{time.January, 1, "Anul Nou"}, {time.January, 2, "A doua zi de Anul Nou"},
			{time.May, 1, "Prima zi de Paști; Ziua Muncii"}, {time.May, 2, "A doua zi de Paști"},
			{time.June, 19, "Prima zi de Rusalii"}, {time.June, 20, "A doua zi de Rusalii"},
			{time.August, 15, "Adormirea"}, {time.November, 30, "Andrei"}, {time.December, 1, "Națională"},
			{time.December, 25, "Prima zi de Crăciun"}, {time.December, 26, "A doua zi de Crăciun"},
		}},
		{2023, []hol{
			{time.January, 1, "Anul Nou"}, {time.January, 2, "A doua zi de Anul Nou"},
			{time.January, 24, "Unirii"},
			{time.April, 14, "Vinerea Mare"}, {time.April, 16, "Prima zi de Paști"}, {time.April, 17, "A doua zi de Paști"},
			{time.May, 1, "Ziua Muncii"}, {time.June, 1, "Ziua Copilului"},
			{time.June, 4, "Prima zi de Rusalii"}, {time.June, 5, "A doua zi de Rusalii"},
			{time.August, 15, "Adormirea"}, {time.November, 30, "Andrei"}, {time.December, 1, "Națională"},
			{time.December, 25, "Prima zi de Crăciun"}, {time.December, 26, "A doua zi de Crăciun"},
		}},
	}
	for _, tt := range tests {
		got := Holidays(tt.year)
		if len(got) != len(tt.want) {
			t.Errorf("Holidays(%d): %d days, want %d: %v", tt.year, len(got), len(tt.want), got)
			continue
		}
		for i, w := range tt.want {
			g := got[i]
			if g.Date != d(tt.year, w.m, w.day) || !strings.Contains(g.Name, w.name) {
				t.Errorf("Holidays(%d)[%d] = %v %q, want %v containing %q", tt.year, i, g.Date, g.Name, d(tt.year, w.m, w.day), w.name)
			}
			if !IsHoliday(g.Date) || IsWorkingDay(g.Date) {
				t.Errorf("%v: IsHoliday %v, IsWorkingDay %v", g.Date, IsHoliday(g.Date), IsWorkingDay(g.Date))
			}
		}
	}
}

// TestHolidaysSortedAndUnique checks every year of a long range: sorted, one
// entry a day, all in the year, and IsHoliday agrees with the list.
func TestHolidaysSortedAndUnique(t *testing.T) {
	for y := 1900; y <= 2200; y++ {
		hs := Holidays(y)
		listed := map[Date]bool{}
		for i, h := range hs {
			if h.Date.Year != y || h.Name == "" {
				t.Fatalf("Holidays(%d)[%d] = %+v", y, i, h)
			}
			if i > 0 && !hs[i-1].Date.Before(h.Date) {
				t.Fatalf("Holidays(%d) not strictly sorted at %d: %v", y, i, hs)
			}
			listed[h.Date] = true
		}
		for day := d(y, time.January, 1); day.Year == y; day = day.AddDays(1) {
			if IsHoliday(day) != listed[day] {
				t.Fatalf("IsHoliday(%v) = %v, listed %v", day, IsHoliday(day), listed[day])
			}
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	tests := []struct {
		day  Date
		want bool
	}{
		{d(2026, time.April, 9), true},    // Maundy Thursday works
		{d(2026, time.April, 10), false},  // Good Friday
		{d(2026, time.April, 13), false},  // Easter Monday
		{d(2026, time.April, 14), true},   // Tuesday after Easter
		{d(2026, time.June, 1), false},    // Children's Day and Rusalii Monday
		{d(2026, time.June, 2), true},     //
		{d(2026, time.January, 6), false}, // Bobotează, since 2024
		{d(2023, time.January, 6), true},  // a Friday, before the law
		{d(2026, time.March, 7), false},   // Saturday
		{d(2026, time.March, 8), false},   // Sunday
		{d(2026, time.March, 9), true},    // Monday
		{d(2028, time.February, 29), true},
		{d(2026, time.November, 30), false},
		{d(2026, time.December, 24), true},
		{d(2026, time.December, 31), true},
		{d(2026, time.February, 29), false}, // normalised to 1 March 2026, a Sunday
	}
	for _, tt := range tests {
		if got := IsWorkingDay(tt.day); got != tt.want {
			t.Errorf("IsWorkingDay(%v, %v) = %v, want %v", tt.day, tt.day.Weekday(), got, tt.want)
		}
	}
}
