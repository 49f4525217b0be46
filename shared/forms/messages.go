package forms

import (
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/nationalid"
)

// rankOf orders the codes when one field fails several ways: only the first
// is told, since it is what the citizen has to fix first (a value of the
// wrong type has no meaningful length).
func rankOf(code string) int {
	switch code {
	case CodeType:
		return 0
	case CodeRequired:
		return 1
	case CodeAdditional:
		return 2
	case CodeEnum:
		return 3
	case CodeFormat:
		return 4
	case CodeMinLength:
		return 5
	case CodeMaxLength:
		return 6
	case CodePattern:
		return 7
	case CodeMinimum:
		return 8
	case CodeMaximum:
		return 9
	case CodeMultipleOf:
		return 10
	case CodeMinItems:
		return 11
	case CodeMaxItems:
		return 12
	case CodeUniqueItems:
		return 13
	case CodeRange:
		return 14
	}
	return 15
}

// fieldError words a failure for people. Messages name the field by its
// title, never by the schema's keywords, and never show a regex.
func (f *Form) fieldError(loc *location, code string, k jsonschema.ErrorKind) httpapi.FieldError {
	if loc == nil {
		return httpapi.Field("", "body.invalid",
			"Formularul nu este completat corect.", "The form is not filled in correctly.")
	}
	var fd Field
	if loc.node != nil {
		fd = loc.node.field
	}
	ro, en := subject(loc)
	var mro, men string
	switch code {
	case CodeRequired:
		mro, men = "este obligatoriu", "is required"
	case CodeAdditional:
		mro, men = "nu face parte din acest formular", "is not part of this form"
	case CodeType:
		mro, men = typeWords(fd.Type)
	case CodeEnum:
		var lro, lEn []string
		for _, o := range fd.Enum {
			lro = append(lro, o.Label)
			lEn = append(lEn, o.LabelEn)
		}
		if len(lro) == 1 {
			mro, men = "trebuie să fie "+lro[0], "must be "+lEn[0]
		} else {
			mro = "trebuie să aibă una dintre valorile: " + strings.Join(lro, ", ")
			men = "must be one of: " + strings.Join(lEn, ", ")
		}
	case CodePattern:
		mro, men = "are o formă nevalidă", "has an invalid form"
		if loc.node != nil && loc.node.patternHintRo != "" {
			mro += " (" + loc.node.patternHintRo + ")"
			men += " (" + loc.node.patternHintEn + ")"
		}
	case CodeFormat:
		// An identifier is refused as sign-up refuses it: its code and its
		// message, which says what is wrong with the code.
		if f, ok := k.(*kind.Format); ok {
			var ie *nationalid.Error
			if errors.As(f.Err, &ie) {
				return httpapi.Field(loc.field, loc.code+"."+ie.Code, ie.Message("ro"), ie.Message("en"))
			}
		}
		mro, men = formatWords(fd.Format)
	case CodeMinLength:
		n := want(k)
		mro = "trebuie să aibă cel puțin " + roCount(n, "caracter", "caractere")
		men = "must have at least " + enCount(n, "character", "characters")
	case CodeMaxLength:
		n := want(k)
		mro = "poate avea cel mult " + roCount(n, "caracter", "caractere")
		men = "may have at most " + enCount(n, "character", "characters")
	case CodeMinItems:
		n := want(k)
		mro = "trebuie să aibă cel puțin " + roCount(n, "element", "elemente")
		men = "must have at least " + enCount(n, "item", "items")
	case CodeMaxItems:
		n := want(k)
		mro = "poate avea cel mult " + roCount(n, "element", "elemente")
		men = "may have at most " + enCount(n, "item", "items")
	case CodeUniqueItems:
		mro, men = "nu poate conține valori repetate", "may not repeat a value"
	case CodeMinimum:
		if _, excl := k.(*kind.ExclusiveMinimum); excl {
			mro, men = "trebuie să fie mai mare decât "+roNumber(fd.ExclusiveMinimum.String()), "must be greater than "+fd.ExclusiveMinimum.String()
		} else {
			mro, men = "trebuie să fie cel puțin "+roNumber(fd.Minimum.String()), "must be at least "+fd.Minimum.String()
		}
	case CodeMaximum:
		if _, excl := k.(*kind.ExclusiveMaximum); excl {
			mro, men = "trebuie să fie mai mic decât "+roNumber(fd.ExclusiveMaximum.String()), "must be less than "+fd.ExclusiveMaximum.String()
		} else {
			mro, men = "poate fi cel mult "+roNumber(fd.Maximum.String()), "may be at most "+fd.Maximum.String()
		}
	case CodeRange:
		mro, men = "conține un număr prea mare sau prea mic", "holds a number too large or too small"
	case CodeMultipleOf:
		mro, men = "trebuie să fie multiplu de "+roNumber(fd.MultipleOf.String()), "must be a multiple of "+fd.MultipleOf.String()
	default:
		mro, men = "nu este completat corect", "is not filled in correctly"
	}
	return httpapi.Field(loc.field, loc.code+code, ro+" "+mro+".", en+" "+men+".")
}

// subject names the field in a sentence: „Câmpul «Nume»”, and for a field
// inside a list, which element: „Câmpul «Nume» (Copii, nr. 2)”.
func subject(loc *location) (ro, en string) {
	tro, ten := loc.name, loc.name
	if loc.node != nil {
		tro, ten = loc.node.field.Title, loc.node.field.TitleEn
	}
	within := loc.within
	var ero, een string
	if loc.atElement {
		// The element itself is the failing field: «Etichete» (nr. 3).
		last := within[len(within)-1]
		within = within[:len(within)-1]
		ero, een = fmt.Sprintf("nr. %d", last.index+1), fmt.Sprintf("no. %d", last.index+1)
	}
	var wro, wen []string
	for _, e := range within {
		if e.list == nil {
			wro = append(wro, fmt.Sprintf("nr. %d", e.index+1))
			wen = append(wen, fmt.Sprintf("no. %d", e.index+1))
			continue
		}
		wro = append(wro, fmt.Sprintf("%s, nr. %d", e.list.field.Title, e.index+1))
		wen = append(wen, fmt.Sprintf("%s, no. %d", e.list.field.TitleEn, e.index+1))
	}
	if ero != "" {
		wro = append(wro, ero)
		wen = append(wen, een)
	}
	ro, en = "Câmpul «"+tro+"»", "Field «"+ten+"»"
	if len(wro) > 0 {
		ro += " (" + strings.Join(wro, "; ") + ")"
		en += " (" + strings.Join(wen, "; ") + ")"
	}
	return ro, en
}

func typeWords(typ string) (ro, en string) {
	switch typ {
	case "string":
		return "trebuie să fie un text", "must be text"
	case "integer":
		return "trebuie să fie un număr întreg", "must be a whole number"
	case "number":
		return "trebuie să fie un număr", "must be a number"
	case "boolean":
		return "trebuie să fie da sau nu (true sau false)", "must be yes or no (true or false)"
	case "object":
		return "trebuie să fie un grup de câmpuri (obiect JSON)", "must be a group of fields (a JSON object)"
	case "array":
		return "trebuie să fie o listă", "must be a list"
	}
	return "are un tip greșit", "has the wrong type"
}

func formatWords(format string) (ro, en string) {
	switch format {
	case "date":
		return "trebuie să fie o dată calendaristică validă, de forma AAAA-LL-ZZ (de exemplu 2026-03-15)",
			"must be a valid calendar date in the form YYYY-MM-DD (for example 2026-03-15)"
	case "date-time":
		return "trebuie să fie o dată și o oră valide, de forma AAAA-LL-ZZTHH:MM:SS cu fusul orar (de exemplu 2026-03-15T10:30:00+02:00)",
			"must be a valid date and time in the form YYYY-MM-DDTHH:MM:SS with a time zone (for example 2026-03-15T10:30:00+02:00)"
	case "email":
		return "trebuie să fie o adresă de e-mail validă", "must be a valid email address"
	case FormatCNP:
		return "trebuie să fie un CNP valid", "must be a valid personal numeric code"
	case FormatCUI:
		return "trebuie să fie un CUI valid", "must be a valid fiscal code"
	}
	return "are o formă nevalidă", "has an invalid form"
}

// want is the bound a length or count error was measured against.
func want(k jsonschema.ErrorKind) int {
	switch k := k.(type) {
	case *kind.MinLength:
		return k.Want
	case *kind.MaxLength:
		return k.Want
	case *kind.MinItems:
		return k.Want
	case *kind.MaxItems:
		return k.Want
	}
	return 0
}

// roCount writes a count with its noun as Romanian grammar wants: „1
// caracter”, „5 caractere”, „20 de caractere” (numbers whose last two
// digits make 0 or 20 and more take „de”, except 0 itself).
func roCount(n int, one, many string) string {
	switch {
	case n == 1:
		return "1 " + one
	case n != 0 && (n%100 == 0 || n%100 >= 20):
		return fmt.Sprintf("%d de %s", n, many)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func enCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// roNumber writes a number the Romanian way, with a decimal comma.
func roNumber(s string) string {
	return strings.Replace(s, ".", ",", 1)
}
