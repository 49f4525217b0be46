package nationalid

import "strings"

// CUI is a valid fiscal code of a legal person (cod unic de înregistrare, also
// called CIF). The zero value is not a valid CUI.
type CUI struct {
	digits string
	vat    bool
}

// Digits returns the code without the RO prefix: this is what identifies the
// company, whether or not it pays VAT.
func (c CUI) Digits() string { return c.digits }

// VATPayer reports whether the code was written with the RO prefix, which
// VAT payers use. It is what the code says, not ANAF's register.
func (c CUI) VATPayer() bool { return c.vat }

// String returns the code in canonical form: the digits, with the RO prefix
// (upper case, no space) if it was given. ParseCUI of it gives c back.
func (c CUI) String() string {
	if c.vat {
		return "RO" + c.digits
	}
	return c.digits
}

// ParseCUI validates a CUI: 2 to 10 digits, the last being the control digit,
// optionally preceded by RO in any case and spaces. Spaces around it are
// ignored; nothing else is tolerated.
//
// A leading zero is rejected: fiscal codes are numbers and never start with
// one, and accepting it would give the same company two spellings.
func ParseCUI(s string) (CUI, error) {
	s = strings.TrimSpace(s)
	vat := false
	if len(s) >= 2 && (s[0] == 'R' || s[0] == 'r') && (s[1] == 'O' || s[1] == 'o') {
		vat = true
		s = strings.TrimSpace(s[2:])
	}
	if !allDigits(s) {
		return CUI{}, newError(CodeCUIFormat)
	}
	if len(s) < 2 || len(s) > 10 {
		return CUI{}, newError(CodeCUILength)
	}
	if s[0] == '0' {
		return CUI{}, newError(CodeCUIFormat)
	}
	if cuiControl(s[:len(s)-1]) != int(s[len(s)-1]-'0') {
		return CUI{}, newError(CodeCUIChecksum)
	}
	return CUI{digits: s, vat: vat}, nil
}

// cuiControl returns the control digit of the digits before it (at most 9):
// they are padded on the left with zeros to 9 digits and weighted; the control
// digit is ten times the sum modulo 11, with 10 written as 0.
func cuiControl(body string) int {
	weights := [9]int{7, 5, 3, 2, 1, 7, 5, 3, 2}
	pad := len(weights) - len(body)
	sum := 0
	for i := 0; i < len(body); i++ {
		sum += int(body[i]-'0') * weights[pad+i]
	}
	if c := sum * 10 % 11; c != 10 {
		return c
	}
	return 0
}
