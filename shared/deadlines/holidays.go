package deadlines

import (
	"strings"
	"time"
)

// Holiday is a public holiday: a day on which nobody works (Codul muncii,
// Law 53/2003, art. 139(1)), so a term that ends on it is prolonged.
type Holiday struct {
	Date Date
	// Name is the Romanian name. When two holidays fall on the same day
	// (1 June 2026 is both Children's Day and Rusalii Monday), the day is
	// listed once and Name joins both names with "; ".
	Name string
}

// holidayRule is one line of Codul muncii art. 139(1): a fixed date, or a day
// counted from Orthodox Easter.
type holidayRule struct {
	name       string
	month      time.Month // fixed date; 0 when the day moves with Easter
	day        int
	fromEaster int // days after Orthodox Easter Sunday, when month is 0
	since      int // the first year in which the day is a holiday
}

// holidayRules is art. 139(1) of the Labour Code as in force in 2026, with the
// year each day became a holiday, so that terms of earlier years stay right.
// The Code itself dates from 2003; earlier years are computed with its
// original list. Not included: the two days for each of three feasts of the
// legal non-Christian cults (art. 139(1), last indent), which are days off for
// their members only, and the "punte" days the Government grants to public
// employees by decision, which are worked back and are not public holidays.
//
// It is a function returning an array, not a package variable, so that there
// is no state anyone could modify; the array lives on the stack.
func holidayRules() [17]holidayRule {
	return [...]holidayRule{
		{name: "Anul Nou", month: time.January, day: 1},
		{name: "A doua zi de Anul Nou", month: time.January, day: 2},
		{name: "Bobotează", month: time.January, day: 6, since: 2024},
		{name: "Sfântul Ioan Botezătorul", month: time.January, day: 7, since: 2024},
		{name: "Ziua Unirii Principatelor Române", month: time.January, day: 24, since: 2017},
		{name: "Vinerea Mare", fromEaster: -2, since: 2018},
		{name: "Prima zi de Paști", fromEaster: 0},
		{name: "A doua zi de Paști", fromEaster: 1},
		{name: "Ziua Muncii", month: time.May, day: 1},
		{name: "Ziua Copilului", month: time.June, day: 1, since: 2017},
		// Rusalii (Pentecost) is the seventh Sunday after Easter; with
		// 15 August it was added by Law 202/2008, from 2009.
		{name: "Prima zi de Rusalii", fromEaster: 49, since: 2009},
		{name: "A doua zi de Rusalii", fromEaster: 50, since: 2009},
		{name: "Adormirea Maicii Domnului", month: time.August, day: 15, since: 2009},
		{name: "Sfântul Apostol Andrei, Ocrotitorul României", month: time.November, day: 30, since: 2012},
		{name: "Ziua Națională a României", month: time.December, day: 1},
		{name: "Prima zi de Crăciun", month: time.December, day: 25},
		{name: "A doua zi de Crăciun", month: time.December, day: 26},
	}
}

// date returns the day of the rule in year, and whether the rule applies in
// that year.
func (r holidayRule) date(year int, easter Date) (Date, bool) {
	if year < r.since {
		return Date{}, false
	}
	if r.month == 0 {
		return easter.AddDays(r.fromEaster), true
	}
	return Date{year, r.month, r.day}, true
}

// Holidays returns the public holidays of year in date order, each day once.
func Holidays(year int) []Holiday {
	easter := OrthodoxEaster(year)
	var out []Holiday
	for _, r := range holidayRules() {
		d, ok := r.date(year, easter)
		if !ok {
			continue
		}
		// Insert in order; merge a day that is already listed.
		i := 0
		for i < len(out) && out[i].Date.Before(d) {
			i++
		}
		if i < len(out) && out[i].Date.Compare(d) == 0 {
			out[i].Name = strings.Join([]string{out[i].Name, r.name}, "; ")
			continue
		}
		out = append(out, Holiday{})
		copy(out[i+1:], out[i:])
		out[i] = Holiday{Date: d, Name: r.name}
	}
	return out
}

// IsHoliday reports whether d is a public holiday.
func IsHoliday(d Date) bool {
	d = dateOfUTC(d.utc())
	easter := OrthodoxEaster(d.Year)
	for _, r := range holidayRules() {
		if h, ok := r.date(d.Year, easter); ok && h == d {
			return true
		}
	}
	return false
}

// IsWorkingDay reports whether d is a working day: Monday to Friday and not a
// public holiday. Saturdays and Sundays are the weekly rest (Codul muncii
// art. 137(2)); public institutions work Monday to Friday.
func IsWorkingDay(d Date) bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !IsHoliday(d)
}

// OrthodoxEaster returns the Gregorian date of Orthodox Easter Sunday in year.
//
// The Orthodox Church computes Easter in the Julian calendar (Meeus, Astronomical
// Algorithms, "Julian Easter"); the Romanian Orthodox Church, though it uses the
// revised calendar for fixed feasts, keeps the Julian Paschalion. The Julian date
// is then converted to the Gregorian calendar by adding the difference between
// the calendars, which is 13 days from 1 March 1900 to 28 February 2100 and
// grows by one day in every century year not divisible by 400 (14 days in
// 2100–2199). Easter is never before 22 March Julian, after the leap day of a
// century year, so the difference of the year itself applies. Years before
// 1583, when the Gregorian calendar was introduced, get the proleptic
// Gregorian date.
func OrthodoxEaster(year int) Date {
	a := mod(year, 4)
	b := mod(year, 7)
	c := mod(year, 19)
	d := (19*c + 15) % 30
	e := (2*a + 4*b - d + 34) % 7
	month := time.Month((d + e + 114) / 31)
	day := (d+e+114)%31 + 1
	gap := floorDiv(year, 100) - floorDiv(year, 400) - 2
	return Date{year, month, day}.AddDays(gap)
}

// mod is the modulo that is never negative, for years before 1 AD.
func mod(a, n int) int { return ((a % n) + n) % n }

func floorDiv(a, n int) int { return (a - mod(a, n)) / n }
