package forms

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// Codes. A field's error code is its path in the form, with array indices
// left out ("children[].name"), followed by one of the suffixes below:
// "cnp.pattern", "address.street.required", "children[].name.required".
// Leaving the indices out keeps the code the same whichever element is
// wrong and equal to the Path of the field in Fields; the error's Field
// says which element it is ("children[1].name").
//
// A field of format cnp or cui that is not a valid code ends instead with
// "." and the code sign-up gives for it (package nationalid): a field
// "applicant.cnp" with a wrong control digit is refused with
// "applicant.cnp.cnp.checksum" and sign-up's message, word for word.
const (
	CodeRequired    = ".required"
	CodeType        = ".type"
	CodeEnum        = ".enum"
	CodePattern     = ".pattern"
	CodeFormat      = ".format"
	CodeMinLength   = ".min_length"
	CodeMaxLength   = ".max_length"
	CodeMinimum     = ".minimum" // also exclusiveMinimum
	CodeMaximum     = ".maximum" // also exclusiveMaximum
	CodeMultipleOf  = ".multiple_of"
	CodeMinItems    = ".min_items"
	CodeMaxItems    = ".max_items"
	CodeUniqueItems = ".unique_items"
	CodeAdditional  = ".additional" // a property the form does not have
	CodeRange       = ".range"      // a number no form could use (1e999999)
	CodeInvalid     = ".invalid"    // anything else; not expected from a compiled form

	// The body as a whole; their FieldError has an empty Field.
	CodeBodyMalformed = "body.malformed" // not one JSON value
	CodeBodyType      = "body.type"      // JSON, but not an object
)

// Validate checks a submitted form, a JSON object, and returns one error per
// failing field, sorted by field; nil when data is valid.
func (f *Form) Validate(data []byte) []httpapi.FieldError {
	// UnmarshalJSON keeps numbers as json.Number, so a CNP sent as a number
	// or a large integer is judged exactly; it also refuses trailing data.
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return []httpapi.FieldError{httpapi.Field("", CodeBodyMalformed,
			"Datele trimise nu sunt un document JSON valid.",
			"The data sent is not a valid JSON document.")}
	}
	if _, ok := v.(map[string]any); !ok {
		return []httpapi.FieldError{httpapi.Field("", CodeBodyType,
			"Formularul trebuie trimis ca obiect JSON, cu câte o proprietate pentru fiecare câmp.",
			"The form must be sent as a JSON object, with one property per field.")}
	}
	// The library turns every number it checks into a big.Rat: a number
	// like 1e999999 takes seconds to expand, and one beyond big's limit
	// makes it panic. Such numbers are told as they are, and the rest of
	// the form is not checked until they are fixed.
	var found []failure
	outOfRange(v, nil, &found)
	if len(found) == 0 {
		err = f.schema.Validate(v)
		if err == nil {
			return nil
		}
		var verr *jsonschema.ValidationError
		if !errors.As(err, &verr) {
			// Validate only returns ValidationError for a value decoded
			// from JSON; should that change, the citizen still gets an
			// answer.
			return []httpapi.FieldError{f.fieldError(nil, CodeInvalid, nil)}
		}
		collect(verr, &found)
	}

	type best struct {
		loc  location
		fail failure
	}
	byField := map[string]*best{}
	for _, fl := range found {
		loc := f.locate(v, fl.at)
		b := byField[loc.field]
		if b == nil || rankOf(fl.code) < rankOf(b.fail.code) {
			byField[loc.field] = &best{loc: loc, fail: fl}
		}
	}
	bests := make([]*best, 0, len(byField))
	for _, b := range byField {
		bests = append(bests, b)
	}
	slices.SortFunc(bests, func(a, b *best) int { return compareTokens(a.loc.tokens, b.loc.tokens) })
	out := make([]httpapi.FieldError, len(bests))
	for i, b := range bests {
		out[i] = f.fieldError(&b.loc, b.fail.code, b.fail.kind)
	}
	return out
}

// failure is one leaf of the library's error tree, at the instance location
// of the field it belongs to.
type failure struct {
	at   []string
	code string
	kind jsonschema.ErrorKind
}

// collect flattens the error tree. Errors with causes (the schema, a $ref,
// a group of property errors) only explain their causes; the leaves are
// the failures. A missing required property is told at the property, not at
// the object that lacks it, and so is a property the form does not have.
func collect(e *jsonschema.ValidationError, out *[]failure) {
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			collect(c, out)
		}
		return
	}
	at := e.InstanceLocation
	add := func(code string, at []string) {
		*out = append(*out, failure{at: at, code: code, kind: e.ErrorKind})
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			add(CodeRequired, append(slices.Clone(at), m))
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			add(CodeAdditional, append(slices.Clone(at), p))
		}
	case *kind.Type:
		add(CodeType, at)
	case *kind.Enum:
		add(CodeEnum, at)
	case *kind.Pattern:
		add(CodePattern, at)
	case *kind.Format:
		add(CodeFormat, at)
	case *kind.MinLength:
		add(CodeMinLength, at)
	case *kind.MaxLength:
		add(CodeMaxLength, at)
	case *kind.Minimum, *kind.ExclusiveMinimum:
		add(CodeMinimum, at)
	case *kind.Maximum, *kind.ExclusiveMaximum:
		add(CodeMaximum, at)
	case *kind.MultipleOf:
		add(CodeMultipleOf, at)
	case *kind.MinItems:
		add(CodeMinItems, at)
	case *kind.MaxItems:
		add(CodeMaxItems, at)
	case *kind.UniqueItems:
		add(CodeUniqueItems, at)
	default:
		add(CodeInvalid, at)
	}
}

// outOfRange finds the numbers in v that are not sane.
func outOfRange(v any, at []string, out *[]failure) {
	switch t := v.(type) {
	case json.Number:
		if !sane(t) {
			*out = append(*out, failure{at: at, code: CodeRange})
		}
	case map[string]any:
		for k, e := range t {
			outOfRange(e, append(slices.Clone(at), k), out)
		}
	case []any:
		for i, e := range t {
			outOfRange(e, append(slices.Clone(at), strconv.Itoa(i)), out)
		}
	}
}

// sane tells whether a JSON number is within what float64 can hold, with
// an exponent small enough for big.Rat to expand at once. No form asks for
// more: areas, counts, amounts, years.
func sane(n json.Number) bool {
	s := string(n)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || exp > 400 || exp < -400 {
			return false
		}
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// location is where in the form a failure is: the field as the citizen's
// client addresses it, the field as the form describes it, and the lists
// it is inside of, for the message.
type location struct {
	field     string // "children[1].name"
	code      string // "children[].name"
	name      string // last property name, the title of an unknown field
	node      *node  // nil for a property the form does not have
	tokens    []string
	within    []element
	atElement bool // the field is an element of a list, not a property
}

// element is one element of a list: "«Copii» nr. 2".
type element struct {
	list  *node // nil for a list the form does not have
	index int
}

// locate maps a library instance location in the submitted value v to the
// form's field. Whether a token is a property name or an index is decided
// by the value, not by the token's spelling: a property may be called "1".
func (f *Form) locate(v any, tokens []string) location {
	loc := location{node: f.root, tokens: tokens}
	cur := v
	for _, tok := range tokens {
		n := loc.node
		if arr, ok := cur.([]any); ok {
			i, _ := strconv.Atoi(tok)
			cur = nil
			if i >= 0 && i < len(arr) {
				cur = arr[i]
			}
			loc.field += "[" + tok + "]"
			loc.code += "[]"
			loc.atElement = true
			loc.within = append(loc.within, element{list: n, index: i})
			if n != nil {
				loc.node = n.items
			}
			continue
		}
		if obj, ok := cur.(map[string]any); ok {
			cur = obj[tok]
		} else {
			cur = nil
		}
		if loc.field != "" {
			loc.field += "."
			loc.code += "."
		}
		loc.field += tok
		loc.code += tok
		loc.name = tok
		loc.atElement = false
		if n != nil {
			loc.node = n.props[tok]
		}
	}
	return loc
}

// compareTokens orders locations by their path, list indices numerically,
// so that children[2] comes before children[10].
func compareTokens(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ai, aerr := strconv.Atoi(a[i])
		bi, berr := strconv.Atoi(b[i])
		var c int
		if aerr == nil && berr == nil {
			c = cmp.Compare(ai, bi)
		}
		if c == 0 {
			c = cmp.Compare(a[i], b[i])
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}
