package nationalid

import "strings"

// Error codes. They are stable: APIs return them to clients, which may match on
// them or translate them, so a code is never renamed once published.
const (
	CodeCNPLength   = "cnp.length"
	CodeCNPDigits   = "cnp.digits"
	CodeCNPSex      = "cnp.sex"
	CodeCNPDate     = "cnp.date"
	CodeCNPCounty   = "cnp.county"
	CodeCNPSerial   = "cnp.serial"
	CodeCNPChecksum = "cnp.checksum"

	CodeCUIFormat   = "cui.format"
	CodeCUILength   = "cui.length"
	CodeCUIChecksum = "cui.checksum"
)

// Error reports why a code is not valid. Find it with errors.As and show
// Message in the user's language next to the field.
//
// It never contains the rejected input: a CNP is personal data even when it is
// wrong by one digit, and errors end up in logs.
type Error struct {
	Code string // one of the Code constants
}

func newError(code string) *Error { return &Error{Code: code} }

// Error returns the code and the English message.
func (e *Error) Error() string {
	return "nationalid: " + e.Code + ": " + e.Message("en")
}

// Is makes errors.Is(err, &Error{Code: CodeCNPChecksum}) match on the code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Message returns the message in Romanian for lang "ro" (any case, and with a
// region such as "ro-RO"), in English otherwise.
func (e *Error) Message(lang string) string {
	ro, en := messages(e.Code)
	lang = strings.ToLower(lang)
	if lang == "ro" || strings.HasPrefix(lang, "ro-") || strings.HasPrefix(lang, "ro_") {
		return ro
	}
	return en
}

// messages returns the Romanian and English text for code. It is a switch
// rather than a map so that there is no package-level state to modify.
func messages(code string) (ro, en string) {
	switch code {
	case CodeCNPLength:
		return "CNP-ul trebuie să aibă 13 cifre.", "The CNP must have 13 digits."
	case CodeCNPDigits:
		return "CNP-ul poate conține doar cifre.", "The CNP may contain only digits."
	case CodeCNPSex:
		return "Prima cifră a CNP-ului nu este validă.", "The first digit of the CNP is not valid."
	case CodeCNPDate:
		return "Data nașterii din CNP nu este validă.", "The date of birth in the CNP is not valid."
	case CodeCNPCounty:
		return "Codul județului din CNP nu este valid.", "The county code in the CNP is not valid."
	case CodeCNPSerial:
		return "Numărul de ordine din CNP nu este valid.", "The serial number in the CNP is not valid."
	case CodeCNPChecksum:
		return "Cifra de control a CNP-ului nu este corectă; verificați dacă ați tastat corect.",
			"The control digit of the CNP does not match; check for a typing mistake."
	case CodeCUIFormat:
		return "CUI-ul poate conține doar cifre, fără zerouri la început, eventual precedate de RO.",
			"The CUI may contain only digits, not starting with zero, optionally preceded by RO."
	case CodeCUILength:
		return "CUI-ul trebuie să aibă între 2 și 10 cifre.", "The CUI must have 2 to 10 digits."
	case CodeCUIChecksum:
		return "Cifra de control a CUI-ului nu este corectă; verificați dacă ați tastat corect.",
			"The control digit of the CUI does not match; check for a typing mistake."
	default:
		return "Codul nu este valid.", "The code is not valid."
	}
}
