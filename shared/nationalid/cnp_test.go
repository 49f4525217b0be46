package nationalid

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// testToday is the date the table tests run on, so that they do not depend on
// the clock (the century of codes 7, 8 and 9 and future dates do).
var testToday = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

// refCNPResidue is the weighted sum of the first 12 digits modulo 11, written
// apart from the package's own code so that the tests check it.
func refCNPResidue(s string) int {
	const weights = "279146358279"
	sum := 0
	for i := 0; i < 12; i++ {
		sum += int(s[i]-'0') * int(weights[i]-'0')
	}
	return sum % 11
}

// withCNPControl appends the control digit to 12 digits.
func withCNPControl(first12 string) string {
	r := refCNPResidue(first12)
	if r == 10 {
		r = 1
	}
	return first12 + string(rune('0'+r))
}

func TestParseCNPValid(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		birth   string
		sex     Sex
		county  int
		foreign bool
	}{
		{"spec example", "1920822296090", "1992-08-22", Male, 29, false},
		{"spaces around", " \t1920822296090\n", "1992-08-22", Male, 29, false},
		{"woman, 1900s", "2850315123457", "1985-03-15", Female, 12, false},
		{"man, 1800s", "3850315100010", "1885-03-15", Male, 10, false},
		{"woman, 1800s", "4011229049996", "1801-12-29", Female, 4, false},
		{"man, 2000s, county 70", "5010101700014", "2001-01-01", Male, 70, false},
		{"woman, 29 February 2000", "6000229400125", "2000-02-29", Female, 40, false},
		{"county 51 (Călărași)", "1960229511230", "1996-02-29", Male, 51, false},
		{"county 52 (Giurgiu)", "2761130520882", "1976-11-30", Female, 52, false},
		{"county 01", "1850101010016", "1985-01-01", Male, 1, false},
		{"county 46", "2850101460012", "1985-01-01", Female, 46, false},
		{"resident man, 2000s", "7050601700422", "2005-06-01", Male, 70, true},
		{"resident woman, 1900s", "8850601700425", "1985-06-01", Female, 70, true},
		{"foreigner", "9850601527775", "1985-06-01", SexUnspecified, 52, true},
		{"resident born today: 2000s", "7260615401233", "2026-06-15", Male, 40, true},
		{"resident, tomorrow's day and month: 1900s", "7260616401236", "1926-06-16", Male, 40, true},
		{"resident, 29 February 00: 2000, 1900 was not leap", "7000229700016", "2000-02-29", Male, 70, true},
		{"resident, 29 February 28: 2028 is to come", withCNPControl("828022970001"), "1928-02-29", Female, 70, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseCNP(tt.in, testToday)
			if err != nil {
				t.Fatalf("parseCNP(%q): %v", tt.in, err)
			}
			if got := c.String(); got != strings.TrimSpace(tt.in) {
				t.Errorf("String() = %q", got)
			}
			if got := c.BirthDate().Format(time.DateOnly); got != tt.birth {
				t.Errorf("BirthDate() = %s, want %s", got, tt.birth)
			}
			if c.Sex() != tt.sex || c.County() != tt.county || c.Foreign() != tt.foreign {
				t.Errorf("Sex, County, Foreign = %v, %d, %v; want %v, %d, %v",
					c.Sex(), c.County(), c.Foreign(), tt.sex, tt.county, tt.foreign)
			}
		})
	}
}

func TestParseCNPInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		code string
	}{
		{"empty", "", CodeCNPLength},
		{"blank", "   ", CodeCNPLength},
		{"12 digits", "192082229609", CodeCNPLength},
		{"14 digits", "19208222960901", CodeCNPLength},
		{"letter", "192082229609a", CodeCNPDigits},
		{"letters only", "abc", CodeCNPDigits},
		{"space inside", "1920822 96090", CodeCNPDigits},
		{"dash", "1-920822-296090", CodeCNPDigits},
		{"full-width digits", "１９２０８２２２９６０９０", CodeCNPDigits},
		{"sign", "+920822296090", CodeCNPDigits},
		{"first digit 0", "0920822296099", CodeCNPSex},
		{"month 13", "1921322296093", CodeCNPDate},
		{"month 00", withCNPControl("192002229609"), CodeCNPDate},
		{"day 32", "1920832296096", CodeCNPDate},
		{"day 00", withCNPControl("192080029609"), CodeCNPDate},
		{"30 February", "1920230296099", CodeCNPDate},
		{"29 February 1900", "1000229296094", CodeCNPDate},
		{"2000s date in the future", "5260616296094", CodeCNPDate},
		{"resident, 29 February 29: 2029 is to come and 1929 was not leap", withCNPControl("829022929609"), CodeCNPDate},
		{"county 00", "1920822006096", CodeCNPCounty},
		{"county 47", "1920822476095", CodeCNPCounty},
		{"county 48", "1920822486092", CodeCNPCounty},
		{"county 50", "1920822506099", CodeCNPCounty},
		{"county 53", "1920822536090", CodeCNPCounty},
		{"county 69", "1920822696099", CodeCNPCounty},
		{"county 71", "1920822716095", CodeCNPCounty},
		{"county 99", "1920822996092", CodeCNPCounty},
		{"serial 000", "1920822290006", CodeCNPSerial},
		{"control digit", "1920822296091", CodeCNPChecksum},
		{"two digits swapped", "1920822290696", CodeCNPChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseCNP(tt.in, testToday)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("parseCNP(%q) error = %v, want an *Error", tt.in, err)
			}
			if e.Code != tt.code {
				t.Fatalf("parseCNP(%q) code = %s, want %s", tt.in, e.Code, tt.code)
			}
		})
	}
}

// TestParseCNPClock checks ParseCNP against the real clock, which the other
// tests replace.
func TestParseCNPClock(t *testing.T) {
	if _, err := ParseCNP("1920822296090"); err != nil {
		t.Fatalf("ParseCNP of the spec example: %v", err)
	}
	// A date two days ahead is in the future in every time zone.
	future := time.Now().UTC().AddDate(0, 0, 2).Format("060102")
	if _, err := ParseCNP(withCNPControl("5" + future + "70001")); !errors.Is(err, &Error{Code: CodeCNPDate}) {
		t.Errorf("ParseCNP of a birth in the future: %v, want %s", err, CodeCNPDate)
	}
	c, err := ParseCNP(withCNPControl("7" + future + "70001"))
	if err != nil {
		t.Fatalf("ParseCNP of a resident: %v", err)
	}
	if y := c.BirthDate().Year(); y >= 2000 {
		t.Errorf("resident born on a day still to come in the 2000s: year %d, want the 1900s", y)
	}
}

// TestCNPGenerated builds many valid codes from random fields, computing the
// control digit independently, and checks that each parses back to its fields
// and that every other control digit is rejected.
func TestCNPGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 5))
	counties := []int{70, 51, 52}
	for jj := 1; jj <= 46; jj++ {
		counties = append(counties, jj)
	}
	day := func(from, to time.Time) time.Time {
		return from.AddDate(0, 0, rng.IntN(int(to.Sub(from).Hours()/24)+1))
	}
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }
	for range 20000 {
		s := 1 + rng.IntN(9)
		var birth time.Time
		switch s {
		case 1, 2:
			birth = day(d(1900, 1, 1), d(1999, 12, 31))
		case 3, 4:
			birth = day(d(1800, 1, 1), d(1899, 12, 31))
		case 5, 6:
			birth = day(d(2000, 1, 1), testToday)
		default:
			// The century is not in the code: only births of the last 100
			// years read back unambiguously.
			birth = day(testToday.AddDate(-100, 0, 1), testToday)
		}
		county := counties[rng.IntN(len(counties))]
		serial := 1 + rng.IntN(999)
		code := withCNPControl(fmt.Sprintf("%d%s%02d%03d", s, birth.Format("060102"), county, serial))

		c, err := parseCNP(code, testToday)
		if err != nil {
			t.Fatalf("parseCNP(%s): %v", code, err)
		}
		wantSex := map[bool]Sex{true: Male, false: Female}[s%2 == 1]
		if s == 9 {
			wantSex = SexUnspecified
		}
		if !c.BirthDate().Equal(birth) || c.Sex() != wantSex || c.County() != county || c.Foreign() != (s >= 7) {
			t.Fatalf("parseCNP(%s) = %s %v %d, want %s %v %d", code,
				c.BirthDate().Format(time.DateOnly), c.Sex(), c.County(), birth.Format(time.DateOnly), wantSex, county)
		}
		for wrong := '0'; wrong <= '9'; wrong++ {
			if byte(wrong) == code[12] {
				continue
			}
			bad := code[:12] + string(wrong)
			if _, err := parseCNP(bad, testToday); !errors.Is(err, &Error{Code: CodeCNPChecksum}) {
				t.Fatalf("parseCNP(%s) = %v, want %s", bad, err, CodeCNPChecksum)
			}
		}
	}
}

func TestMaskCNP(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1920822296090", "1*********090"},
		{" 1920822296090 ", "1*********090"},
		{"", ""},
		{"1", "*"},
		{"1234", "****"},
		{"192082229609", "************"},
		{"19208222960901", "**************"},
		{"ăîșțâăîșțâăîș", "ă*********ăîș"},
		{"\xff\xfe", "**"},
	}
	for _, tt := range tests {
		if got := MaskCNP(tt.in); got != tt.want {
			t.Errorf("MaskCNP(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	codes := []string{
		CodeCNPLength, CodeCNPDigits, CodeCNPSex, CodeCNPDate, CodeCNPCounty, CodeCNPSerial, CodeCNPChecksum,
		CodeCUIFormat, CodeCUILength, CodeCUIChecksum,
	}
	genericRO, genericEN := messages("no.such.code")
	seen := map[string]bool{}
	for _, code := range codes {
		e := &Error{Code: code}
		ro, en := e.Message("ro"), e.Message("en")
		if ro == genericRO || en == genericEN || ro == en || seen[ro] || seen[en] {
			t.Errorf("%s: messages %q / %q are missing, untranslated or shared with another code", code, ro, en)
		}
		seen[ro], seen[en] = true, true
		if e.Message("ro-RO") != ro || e.Message("RO") != ro || e.Message("ro_RO") != ro || e.Message("fr") != en || e.Message("") != en {
			t.Errorf("%s: language selection is wrong", code)
		}
		if !strings.Contains(e.Error(), code) {
			t.Errorf("%s: Error() = %q does not name the code", code, e.Error())
		}
	}

	// Wrapped, it is still found, and it never repeats the (personal) input.
	const in = "1920822296091"
	_, err := ParseCNP(in)
	err = fmt.Errorf("sign up: %w", err)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeCNPChecksum {
		t.Fatalf("errors.As on %v failed", err)
	}
	if !errors.Is(err, &Error{Code: CodeCNPChecksum}) || errors.Is(err, &Error{Code: CodeCNPDate}) {
		t.Errorf("errors.Is does not match on the code")
	}
	if strings.Contains(err.Error(), in) || strings.Contains(err.Error(), in[:7]) {
		t.Errorf("error %q repeats the input", err)
	}
}
