package nationalid

import (
	"errors"
	"strings"
	"testing"
)

// checkError checks what every rejection must be: an *Error with a known code
// and messages in both languages.
func checkError(t *testing.T, err error, prefix string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Code, prefix) {
		t.Fatalf("error %v is not an *Error with a %s code", err, prefix)
	}
	genericRO, genericEN := messages("")
	if e.Message("ro") == genericRO || e.Message("en") == genericEN {
		t.Fatalf("code %s has no message of its own", e.Code)
	}
}

func FuzzParseCNP(f *testing.F) {
	for _, s := range []string{
		"1920822296090", " 1920822296090 ", "2850315123457", "3850315100010", "5010101700014",
		"6000229400125", "1960229511230", "2761130520882", "7050601700422", "8850601700425",
		"9850601527775", "7000229700016",
		"", "1", "192082229609", "19208222960901", "192082229609a", "0920822296099", "1921322296093",
		"1000229296094", "1920822476095", "1920822290006", "1920822296091", "１９２０８２２２９６０９０",
		"\x00\xff", "9999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCNP(s)
		masked := MaskCNP(s) // must not panic on anything
		if err != nil {
			checkError(t, err, "cnp.")
			return
		}

		code := c.String()
		if code != strings.TrimSpace(s) || len(code) != 13 || !allDigits(code) {
			t.Fatalf("ParseCNP(%q).String() = %q, want the 13 digits", s, code)
		}
		again, err := ParseCNP(code)
		if err != nil || again != c {
			t.Fatalf("ParseCNP(%q) = %+v, %v; want %+v", code, again, err, c)
		}
		if masked != code[:1]+"*********"+code[10:] {
			t.Fatalf("MaskCNP(%q) = %q", s, masked)
		}

		// Every weight is non-zero modulo 11, which is prime, so changing any one
		// of the first 12 digits changes the weighted sum modulo 11. The control
		// digit only fails to catch it when the sum moves between 1 and 10,
		// which both give control digit 1. Changing the control digit itself
		// always fails.
		for i := range 13 {
			for d := byte('0'); d <= '9'; d++ {
				if d == code[i] {
					continue
				}
				changed := code[:i] + string(d) + code[i+1:]
				_, err := ParseCNP(changed)
				if i == 12 {
					if !errors.Is(err, &Error{Code: CodeCNPChecksum}) {
						t.Fatalf("ParseCNP(%s) = %v, want %s", changed, err, CodeCNPChecksum)
					}
					continue
				}
				before, after := refCNPResidue(code), refCNPResidue(changed)
				if before == after {
					t.Fatalf("changing digit %d of %s keeps the weighted sum", i, code)
				}
				if err == nil && (min(before, after) != 1 || max(before, after) != 10) {
					t.Fatalf("ParseCNP(%s) accepted one digit changed from %s", changed, code)
				}
				if err != nil {
					checkError(t, err, "cnp.")
				}
			}
		}
	})
}

func FuzzParseCUI(f *testing.F) {
	for _, s := range []string{
		"18547290", "13548146", "RO18547290", "ro 13548146", " Ro  18547290 ", "19", "1234567897",
		"", "RO", "1", "12345678901", "R18547290", "RO-18547290", "018547290", "18547291",
		"１８５４７２９０", "ro\u00a018547290", "\x00\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCUI(s)
		if err != nil {
			checkError(t, err, "cui.")
			return
		}

		digits := c.Digits()
		if len(digits) < 2 || len(digits) > 10 || !allDigits(digits) || digits[0] == '0' {
			t.Fatalf("ParseCUI(%q).Digits() = %q", s, digits)
		}
		// The canonical form is the input without spaces, upper case.
		if want := strings.ToUpper(strings.Join(strings.Fields(s), "")); c.String() != want {
			t.Fatalf("ParseCUI(%q).String() = %q, want %q", s, c.String(), want)
		}
		again, err := ParseCUI(c.String())
		if err != nil || again != c {
			t.Fatalf("ParseCUI(%q) = %+v, %v; want %+v", c.String(), again, err, c)
		}

		// As for the CNP: every weight is non-zero modulo 11, so changing one
		// digit before the control digit changes ten times the weighted sum
		// modulo 11; only a move between 0 and 10, which both give control
		// digit 0, goes unnoticed. A new leading zero is refused as such.
		last := len(digits) - 1
		for i := range digits {
			for d := byte('0'); d <= '9'; d++ {
				if d == digits[i] {
					continue
				}
				changed := digits[:i] + string(d) + digits[i+1:]
				_, err := ParseCUI(changed)
				switch {
				case i == last:
					if !errors.Is(err, &Error{Code: CodeCUIChecksum}) {
						t.Fatalf("ParseCUI(%s) = %v, want %s", changed, err, CodeCUIChecksum)
					}
				case i == 0 && d == '0':
					if !errors.Is(err, &Error{Code: CodeCUIFormat}) {
						t.Fatalf("ParseCUI(%s) = %v, want %s", changed, err, CodeCUIFormat)
					}
				default:
					before, after := refCUIResidue(digits[:last]), refCUIResidue(changed[:last])
					if before == after {
						t.Fatalf("changing digit %d of %s keeps the weighted sum", i, digits)
					}
					if err == nil && (min(before, after) != 0 || max(before, after) != 10) {
						t.Fatalf("ParseCUI(%s) accepted one digit changed from %s", changed, digits)
					}
					if err != nil {
						checkError(t, err, "cui.")
					}
				}
			}
		}
	})
}
