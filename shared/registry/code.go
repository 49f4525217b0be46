package registry

import (
	"strings"
	"unicode"
)

// CanonicalVerificationCode is code as NewVerificationCode writes it, from
// code as someone copied it from a receipt: in capitals, without spaces or
// dashes, and with 0 and 1 read as the O and I they can only be (the
// alphabet has no digits 0 or 1).
func CanonicalVerificationCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r) || r == '-':
			return -1
		case r == '0':
			return 'O'
		case r == '1':
			return 'I'
		}
		return unicode.ToUpper(r)
	}, code)
}
