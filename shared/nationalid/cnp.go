// Package nationalid parses and validates Romanian identifiers: the personal
// numeric code (CNP) of natural persons and the fiscal code (CUI, also called
// CIF) of legal persons.
//
// Parse functions return a value that is known to be valid, or an *Error with a
// stable code and messages in Romanian and English.
package nationalid

import (
	"strings"
	"time"
)

// Sex is the sex encoded in the first digit of a CNP.
type Sex int

const (
	// SexUnspecified is the sex of a foreigner's CNP (first digit 9), which does
	// not encode it.
	SexUnspecified Sex = iota
	Male
	Female
)

func (s Sex) String() string {
	switch s {
	case Male:
		return "male"
	case Female:
		return "female"
	default:
		return "unspecified"
	}
}

// CNP is a valid personal numeric code (cod numeric personal), SAALLZZJJNNNC:
// sex and century, date of birth, county, serial number, control digit.
// The zero value is not a valid CNP.
type CNP struct {
	code   string
	birth  time.Time
	sex    Sex
	county int
}

// String returns the 13 digits. Show MaskCNP of it to people, not the digits.
func (c CNP) String() string { return c.code }

// BirthDate returns the date of birth, at midnight UTC: it is a calendar date,
// not an instant, so read it with Date() and never convert it to a time zone.
func (c CNP) BirthDate() time.Time { return c.birth }

// Sex returns the sex encoded in the first digit.
func (c CNP) Sex() Sex { return c.sex }

// County returns the county code JJ: 1 to 46, 51 or 52 for the county (or
// Bucharest sector) where the code was issued, 70 for every code issued since
// May 2024 wherever it was issued.
func (c CNP) County() int { return c.county }

// Foreign reports whether the code belongs to a foreign citizen (first digit
// 7, 8 or 9) rather than to a Romanian one.
func (c CNP) Foreign() bool { return c.code != "" && c.code[0] >= '7' }

// ParseCNP validates a CNP. Spaces around it are ignored; nothing else is
// tolerated (no separators inside, no other characters).
func ParseCNP(s string) (CNP, error) {
	return parseCNP(s, latestDate(time.Now()))
}

// latestDate returns the calendar date it already is somewhere on Earth at
// instant now (UTC+14 is the easternmost time zone). A date of birth after it
// is certainly in the future; comparing with it never rejects a child born
// today, whatever time zone the server clock is in.
func latestDate(now time.Time) time.Time {
	t := now.UTC().Add(14 * time.Hour)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// parseCNP is ParseCNP with today's date given, so that tests do not depend on
// the clock. today is a date at midnight UTC.
func parseCNP(s string, today time.Time) (CNP, error) {
	s = strings.TrimSpace(s)
	// Characters are checked before the length so that "abc" is reported as
	// not digits, which is what the user needs to fix first.
	if !allDigits(s) {
		return CNP{}, newError(CodeCNPDigits)
	}
	if len(s) != 13 {
		return CNP{}, newError(CodeCNPLength)
	}
	var d [13]int
	for i := range d {
		d[i] = int(s[i] - '0')
	}

	var sex Sex
	switch {
	case d[0] == 0:
		return CNP{}, newError(CodeCNPSex)
	case d[0] == 9:
		sex = SexUnspecified
	case d[0]%2 == 1:
		sex = Male
	default:
		sex = Female
	}

	yy, mm, dd := 10*d[1]+d[2], 10*d[3]+d[4], 10*d[5]+d[6]
	var birth time.Time
	var ok bool
	switch d[0] {
	case 1, 2:
		birth, ok = date(1900+yy, mm, dd)
	case 3, 4:
		birth, ok = date(1800+yy, mm, dd)
	case 5, 6:
		birth, ok = date(2000+yy, mm, dd)
	default:
		// 7 and 8 (foreign residents) and 9 (other foreigners) do not encode the
		// century, so the date decides: a person is born in the past, hence the
		// 2000s unless that date is still to come, and then the 1900s. (Codes
		// for foreigners did not exist for anyone born in the 1800s.)
		birth, ok = date(2000+yy, mm, dd)
		if !ok || birth.After(today) {
			birth, ok = date(1900+yy, mm, dd)
		}
	}
	if !ok || birth.After(today) {
		return CNP{}, newError(CodeCNPDate)
	}

	county := 10*d[7] + d[8]
	if !validCounty(county) {
		return CNP{}, newError(CodeCNPCounty)
	}
	if 100*d[9]+10*d[10]+d[11] == 0 {
		return CNP{}, newError(CodeCNPSerial)
	}
	if cnpControl(d[:12]) != d[12] {
		return CNP{}, newError(CodeCNPChecksum)
	}
	return CNP{code: s, birth: birth, sex: sex, county: county}, nil
}

// validCounty reports whether JJ is a county code in use: 01 to 46 (the
// counties and the six sectors of Bucharest, 40 to 46), 51 (Călărași), 52
// (Giurgiu), and 70, given to every code issued since May 2024 whatever the
// place, which many validators wrongly reject.
func validCounty(jj int) bool {
	return jj >= 1 && jj <= 46 || jj == 51 || jj == 52 || jj == 70
}

// cnpControl returns the control digit of the first 12 digits of a CNP: the
// weighted sum modulo 11, with 10 written as 1.
func cnpControl(d []int) int {
	weights := [12]int{2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9}
	sum := 0
	for i, w := range weights {
		sum += d[i] * w
	}
	if c := sum % 11; c != 10 {
		return c
	}
	return 1
}

// date returns the date y-m-d if it exists in the calendar.
func date(y, m, d int) (time.Time, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 30 February into March; a changed month or day
	// means the date does not exist.
	return t, m >= 1 && m <= 12 && t.Month() == time.Month(m) && t.Day() == d
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MaskCNP hides a CNP for display: the first digit and the last three stay,
// the rest become '*' (1920822296090 gives 1*********090). Any other input is
// entirely masked, keeping only its length: it may be a mistyped CNP, and
// showing four characters of a short string would show most of it.
func MaskCNP(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) != 13 {
		return strings.Repeat("*", len(r))
	}
	return string(r[0]) + strings.Repeat("*", 9) + string(r[10:])
}
