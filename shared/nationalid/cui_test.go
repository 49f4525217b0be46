package nationalid

import (
	"errors"
	"strconv"
	"testing"
)

func TestParseCUIValid(t *testing.T) {
	tests := []struct {
		in, digits, canonical string
		vat                   bool
	}{
		{"18547290", "18547290", "18547290", false},
		{"13548146", "13548146", "13548146", false},
		{"RO18547290", "18547290", "RO18547290", true},
		{"ro18547290", "18547290", "RO18547290", true},
		{"Ro 13548146", "13548146", "RO13548146", true},
		{"  RO   13548146 ", "13548146", "RO13548146", true},
		{"19", "19", "19", false},                         // 2 digits: control of 000000001
		{"1234567897", "1234567897", "1234567897", false}, // 10 digits
		{"9999999994", "9999999994", "9999999994", false},
		{"27", "27", "27", false},
	}
	for _, tt := range tests {
		c, err := ParseCUI(tt.in)
		if err != nil {
			t.Errorf("ParseCUI(%q): %v", tt.in, err)
			continue
		}
		if c.Digits() != tt.digits || c.VATPayer() != tt.vat || c.String() != tt.canonical {
			t.Errorf("ParseCUI(%q) = %q, %v, %q; want %q, %v, %q", tt.in,
				c.Digits(), c.VATPayer(), c.String(), tt.digits, tt.vat, tt.canonical)
		}
	}
}

func TestParseCUIInvalid(t *testing.T) {
	tests := []struct{ in, code string }{
		{"", CodeCUILength},
		{"RO", CodeCUILength},
		{"ro  ", CodeCUILength},
		{"1", CodeCUILength},
		{"RO 9", CodeCUILength},
		{"12345678901", CodeCUILength},
		{"R18547290", CodeCUIFormat},
		{"RO-18547290", CodeCUIFormat},
		{"RORO18547290", CodeCUIFormat},
		{"18 547 290", CodeCUIFormat},
		{"18547290RO", CodeCUIFormat},
		{"DE18547290", CodeCUIFormat},
		{"１８５４７２９０", CodeCUIFormat},
		{"018547290", CodeCUIFormat}, // right control digit, but a leading zero
		{"00", CodeCUIFormat},
		{"18547291", CodeCUIChecksum},
		{"RO13548147", CodeCUIChecksum},
		{"18457290", CodeCUIChecksum}, // two digits swapped
	}
	for _, tt := range tests {
		_, err := ParseCUI(tt.in)
		var e *Error
		if !errors.As(err, &e) || e.Code != tt.code {
			t.Errorf("ParseCUI(%q) error = %v, want %s", tt.in, err, tt.code)
		}
	}
}

// TestCUIGenerated checks the control digit of codes of every length against a
// computation written apart from the package's.
func TestCUIGenerated(t *testing.T) {
	for n := 1; n < 1_000_000_000; n = n*7 + 3 {
		body := strconv.Itoa(n)
		code := body + strconv.Itoa(refCUIControl(body))
		if _, err := ParseCUI(code); err != nil {
			t.Fatalf("ParseCUI(%s): %v", code, err)
		}
		for wrong := '0'; wrong <= '9'; wrong++ {
			if byte(wrong) == code[len(code)-1] {
				continue
			}
			if _, err := ParseCUI(body + string(wrong)); !errors.Is(err, &Error{Code: CodeCUIChecksum}) {
				t.Fatalf("ParseCUI(%s%c) = %v, want %s", body, wrong, err, CodeCUIChecksum)
			}
		}
	}
}

// refCUIResidue is ten times the weighted sum of the digits before the control
// digit, modulo 11.
func refCUIResidue(body string) int {
	const weights = "753217532"
	sum := 0
	for i := range body {
		sum += int(body[len(body)-1-i]-'0') * int(weights[len(weights)-1-i]-'0')
	}
	return sum * 10 % 11
}

func refCUIControl(body string) int {
	if r := refCUIResidue(body); r < 10 {
		return r
	}
	return 0
}
