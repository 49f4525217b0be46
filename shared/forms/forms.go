// Package forms holds request forms: each request type's form is a JSON
// Schema (draft 2020-12) written by an institution's administrator, from
// which citizens' clients build the form and against which the platform
// validates what they submit, with one error per field in Romanian and in
// English.
//
// Only the subset of JSON Schema a form can be built from is accepted: an
// object of named fields of type string, integer, number or boolean, nested
// objects and arrays, with required, pattern, enum, length and range bounds
// and the date, date-time and email formats, and cnp and cui, the Romanian
// personal and fiscal codes, checked by package nationalid as sign-up
// checks them. Anything else (combinators,
// conditionals, references to other documents) is refused when the form is
// compiled, so that what the renderer shows and what the validator checks
// can never disagree.
package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ghiseu/ghiseu/shared/nationalid"
)

// Limits on a form's schema. Administrators author schemas, but a schema is
// still untrusted input: it is parsed on every submission's path and sent to
// every browser that renders the form, so it stays small.
const (
	MaxSchemaBytes = 64 << 10 // bytes of the schema document
	MaxFields      = 200      // fields, counting nested ones and array items
	MaxDepth       = 4        // nesting of objects and arrays below the root
)

// ErrBadSchema is wrapped by every error Compile returns for a schema a form
// cannot be built from.
var ErrBadSchema = errors.New("forms: schema cannot be used as a form")

// schemaURL names the form's schema inside the compiler. It is never
// fetched: the loader refuses every URL, so the schema can only refer to
// itself.
const schemaURL = "urn:ghiseu:form"

// Draft2020URL is the only $schema a form may declare.
const Draft2020URL = "https://json-schema.org/draft/2020-12/schema"

// Form is a compiled request form. It is immutable and safe for concurrent
// use.
type Form struct {
	schema *jsonschema.Schema
	root   *node
	fields []Field
}

// Field describes one field of a form, flat, for a discovery endpoint and
// for the web form renderer. Fields of nested objects follow their parent
// ("address", "address.street"); an array's items are described by the
// field "<array>[]" and, when they are objects, their fields by
// "<array>[].<name>".
type Field struct {
	Path             string      `json:"path"`
	Title            string      `json:"title"`
	TitleEn          string      `json:"titleEn"`
	Description      string      `json:"description,omitempty"`
	DescriptionEn    string      `json:"descriptionEn,omitempty"`
	Type             string      `json:"type"` // string, integer, number, boolean, object, array
	Required         bool        `json:"required"`
	Enum             []Option    `json:"enum,omitempty"`
	Pattern          string      `json:"pattern,omitempty"`
	Format           string      `json:"format,omitempty"` // date, date-time, email, cnp, cui
	MinLength        *int        `json:"minLength,omitempty"`
	MaxLength        *int        `json:"maxLength,omitempty"`
	Minimum          json.Number `json:"minimum,omitempty"`
	Maximum          json.Number `json:"maximum,omitempty"`
	ExclusiveMinimum json.Number `json:"exclusiveMinimum,omitempty"`
	ExclusiveMaximum json.Number `json:"exclusiveMaximum,omitempty"`
	MultipleOf       json.Number `json:"multipleOf,omitempty"`
	MinItems         *int        `json:"minItems,omitempty"`
	MaxItems         *int        `json:"maxItems,omitempty"`
	UniqueItems      bool        `json:"uniqueItems,omitempty"`
	Default          any         `json:"default,omitempty"`
}

// Option is one allowed value of an enum field with its labels; without
// x-labels in the schema both labels are the value itself.
type Option struct {
	Value   any    `json:"value"`
	Label   string `json:"label"`
	LabelEn string `json:"labelEn"`
}

// Compile checks that schema can be used as a form and compiles it. Every
// refusal wraps ErrBadSchema and names the field and the problem.
func Compile(schema []byte) (*Form, error) {
	if len(schema) > MaxSchemaBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d allowed", ErrBadSchema, len(schema), MaxSchemaBytes)
	}
	doc, err := decodeOrdered(schema)
	if err != nil {
		return nil, fmt.Errorf("%w: not JSON: %w", ErrBadSchema, err)
	}
	root, fields, err := check(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSchema, err)
	}

	// The library gets its own plain decoding of the same bytes: the ordered
	// one above exists only to keep the authored order of the fields.
	plain, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("%w: not JSON: %w", ErrBadSchema, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	// Draft 2020-12 treats format as an annotation unless told otherwise; a
	// form that says "date" means a date must be entered.
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: FormatCNP, Validate: validateCNP})
	c.RegisterFormat(&jsonschema.Format{Name: FormatCUI, Validate: validateCUI})
	c.UseLoader(refusingLoader{})
	if err := c.AddResource(schemaURL, plain); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSchema, err)
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSchema, err)
	}
	return &Form{schema: sch, root: root, fields: fields}, nil
}

// Fields describes the form's fields in the order the schema lists them
// (see x-order in check.go). The result is the caller's to change.
func (f *Form) Fields() []Field {
	out := make([]Field, len(f.fields))
	for i, fd := range f.fields {
		fd.Enum = slices.Clone(fd.Enum)
		fd.MinLength = cloneInt(fd.MinLength)
		fd.MaxLength = cloneInt(fd.MaxLength)
		fd.MinItems = cloneInt(fd.MinItems)
		fd.MaxItems = cloneInt(fd.MaxItems)
		out[i] = fd
	}
	return out
}

func cloneInt(p *int) *int {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// The formats of Romanian identifiers. A field with one of them is checked
// by package nationalid, and refused with its code and message, as sign-up
// refuses a CNP or a CUI (see fieldError).
const (
	FormatCNP = "cnp" // a natural person's personal numeric code
	FormatCUI = "cui" // a legal person's fiscal code, with or without RO
)

// validateCNP and validateCUI check a value of their format; values of
// another type are the type keyword's to refuse.
func validateCNP(v any) error {
	if s, ok := v.(string); ok {
		if _, err := nationalid.ParseCNP(s); err != nil {
			return err
		}
	}
	return nil
}

func validateCUI(v any) error {
	if s, ok := v.(string); ok {
		if _, err := nationalid.ParseCUI(s); err != nil {
			return err
		}
	}
	return nil
}

// refusingLoader is the compiler's only loader: a form is one document, and
// fetching anything else (a URL, a file) while compiling an administrator's
// schema would let it reach the network or the disk.
type refusingLoader struct{}

func (refusingLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s: a form may only refer to its own definitions", url)
}
