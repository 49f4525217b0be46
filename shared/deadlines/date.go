package deadlines

import (
	"fmt"
	"time"
	// Registration instants are converted to Romanian time wherever the
	// function runs, including an image without a zoneinfo database.
	_ "time/tzdata"
)

// TimeZone is the zone in which a registration instant becomes a calendar
// day. Romanian legal terms run on Romanian days, whatever the zone of the
// server or of the institution's configuration.
const TimeZone = "Europe/Bucharest"

// romania is set once when the package is initialised and never changed; a
// *time.Location is safe for concurrent use.
var romania = mustLoadLocation(TimeZone)

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Unreachable: time/tzdata is embedded above.
		panic("deadlines: " + err.Error())
	}
	return loc
}

// Date is a civil date in the proleptic Gregorian calendar, with no time of
// day and no zone. Deadlines are days, not instants: a term in days ends at
// the end (24:00, Romanian time) of its last day (Civil Code art. 2553(2),
// Civil Procedure Code art. 182(1)), so a whole day is the honest unit and it
// keeps arithmetic free of DST surprises (a Romanian day lasts 23, 24 or 25
// hours).
//
// A Date literal with out-of-range fields (31 April) is normalised by every
// function that takes it, like time.Date does.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the day on which the instant t falls in Romania.
func DateOf(t time.Time) Date {
	y, m, d := t.In(romania).Date()
	return Date{y, m, d}
}

// utc is the day's midnight in UTC: the days of UTC all last 24 hours, so
// differences and additions of days are exact.
func (d Date) utc() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

func dateOfUTC(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// AddDays returns the date n calendar days after d (before it if n < 0).
func (d Date) AddDays(n int) Date {
	return dateOfUTC(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// Compare returns -1, 0 or +1 as d is before, the same day as, or after e.
func (d Date) Compare(e Date) int { return d.utc().Compare(e.utc()) }

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// String formats d as ISO 8601, 2026-04-12.
func (d Date) String() string {
	n := dateOfUTC(d.utc())
	return fmt.Sprintf("%04d-%02d-%02d", n.Year, int(n.Month), n.Day)
}

// daysBetween returns the number of calendar days from d to e (negative when
// e is before d).
func daysBetween(d, e Date) int {
	// Both are UTC midnights, so the difference is a whole number of days;
	// Unix seconds rather than a Duration, which overflows after 292 years.
	return int((e.utc().Unix() - d.utc().Unix()) / 86400)
}
