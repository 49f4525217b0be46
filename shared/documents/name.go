package documents

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLength is the longest sanitised file name, in runes.
const MaxNameLength = 200

// ErrBadName: a file name that tries to name a path (slashes, "..") or hides
// characters (controls, bidirectional overrides). Browsers send base names
// only, so such a name is a hostile client's, and is refused rather than
// quietly repaired.
var ErrBadName = errors.New("file name not allowed")

// CheckName refuses a client's file name that is not a plain base name.
// What it lets through is still sanitised (see SanitizeName) before it is
// kept.
func CheckName(name string) error {
	switch {
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: not valid UTF-8", ErrBadName)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("%w: %q names a path; send the file's name only", ErrBadName, name)
	case strings.Trim(name, ". ") == "" && name != "":
		return fmt.Errorf("%w: %q", ErrBadName, name)
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }):
		return fmt.Errorf("%w: control or invisible formatting characters", ErrBadName)
	}
	return nil
}

// SanitizeName makes a client's file name safe to keep and to offer back in
// a Content-Disposition: the base name only (after either kind of slash),
// without control or format characters (bidirectional overrides included),
// invalid UTF-8, characters Windows refuses (<>:"|?*), leading dots or
// surrounding spaces, and at most MaxNameLength runes (the extension kept).
// Letters of any script stay, Romanian diacritics (ăâîșț) included. An empty
// result becomes "document".
func SanitizeName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			// Before the control check: tabs and newlines become spaces.
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		case r == '\\':
			return '/'
		}
		return r
	}, name)
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	// Leading dots make hidden files and ".."; trailing dots and spaces are
	// dropped by Windows.
	name = strings.TrimLeft(name, ". ")
	name = strings.TrimRight(name, ". ")
	if utf8.RuneCountInString(name) > MaxNameLength {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 20 {
			ext = ""
		}
		stem := []rune(strings.TrimSuffix(name, ext))
		name = strings.TrimRight(string(stem[:MaxNameLength-utf8.RuneCountInString(ext)]), ". ") + ext
	}
	if name == "" {
		return "document"
	}
	return name
}
