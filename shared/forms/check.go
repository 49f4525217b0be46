package forms

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// node is one field of a compiled form, as the validator needs it to turn
// a schema error into a message: its description, and its children.
type node struct {
	field         Field
	patternHintRo string           // x-pattern-hint, told instead of the regex
	patternHintEn string           //
	props         map[string]*node // type object
	items         *node            // type array
}

// fieldName is what a property may be called: the paths in errors and in
// Fields join names with "." and "[", so a name must contain neither. Names
// are for programs; people read titles.
var fieldName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,63}$`)

// maxRefHops bounds a chain of $ref to $ref; longer chains are a mistake or
// an attack.
const maxRefHops = 8

type checker struct {
	doc    *object
	fields []Field
}

// check walks a schema as a form and describes its fields, refusing what a
// form cannot be built from. It runs before the library compiles the schema
// so that the refusals name the field in words an administrator
// understands.
func check(doc any) (*node, []Field, error) {
	root, ok := doc.(*object)
	if !ok {
		return nil, nil, errors.New("the schema must be a JSON object")
	}
	if s, ok := root.get("$schema"); ok && s != Draft2020URL {
		return nil, nil, fmt.Errorf("$schema %v: forms use JSON Schema draft 2020-12 (%s)", s, Draft2020URL)
	}
	if t, _ := root.get("type"); t != "object" {
		return nil, nil, errors.New(`the root must have "type": "object"`)
	}
	if _, ok := root.get("properties"); !ok {
		return nil, nil, errors.New(`the root must have "properties"`)
	}
	if d, ok := root.get("$defs"); ok {
		if _, ok := d.(*object); !ok {
			return nil, nil, errors.New("$defs must be an object")
		}
	}
	if err := noOtherDocuments(root); err != nil {
		return nil, nil, err
	}
	c := &checker{doc: root}
	n, err := c.walk(root, "", "", 0, true, false, nil)
	if err != nil {
		return nil, nil, err
	}
	return n, c.fields, nil
}

// walk checks the schema of the field at path (name is its property name,
// depth its nesting below the root) and appends its description and its
// children's to c.fields, parents first. parent is the array whose items
// this schema describes, if any: items without a title take the array's.
func (c *checker) walk(sch any, name, path string, depth int, root, required bool, parent *Field) (*node, error) {
	where := "the root"
	if !root {
		where = "field " + strconv.Quote(path)
	}
	obj, err := c.resolve(sch, where)
	if err != nil {
		return nil, err
	}
	typ, _ := obj.vals["type"].(string)
	switch typ {
	case "string", "integer", "number", "boolean", "object", "array":
	default:
		return nil, fmt.Errorf(`%s: "type" must be one of string, integer, number, boolean, object, array (one of them, as a string)`, where)
	}
	for _, k := range obj.keys {
		if !allowedKeyword(typ, k, root) {
			if k == "$ref" || k == "$dynamicRef" || k == "$id" {
				return nil, fmt.Errorf("%s: %s is not allowed here", where, k)
			}
			return nil, fmt.Errorf("%s: keyword %q is not supported in a form field of type %s", where, k, typ)
		}
	}

	f := Field{Path: path, Type: typ, Required: required}
	n := &node{}
	if f.Title, err = optString(obj, "title", where); err != nil {
		return nil, err
	}
	if f.TitleEn, err = optString(obj, "x-title-en", where); err != nil {
		return nil, err
	}
	if f.Description, err = optString(obj, "description", where); err != nil {
		return nil, err
	}
	if f.DescriptionEn, err = optString(obj, "x-description-en", where); err != nil {
		return nil, err
	}
	switch {
	case f.Title != "":
	case parent != nil:
		f.Title, f.TitleEn = parent.Title, parent.TitleEn
	default:
		f.Title = name
	}
	if f.TitleEn == "" {
		f.TitleEn = f.Title
	}
	if f.DescriptionEn == "" {
		f.DescriptionEn = f.Description
	}
	if d, ok := obj.get("default"); ok {
		f.Default = plain(d)
	}

	switch typ {
	case "string":
		err = c.checkString(obj, &f, n, where)
	case "integer", "number":
		err = checkNumber(obj, &f, where)
	case "array":
		err = checkArray(obj, &f, where)
	}
	if err != nil {
		return nil, err
	}
	if typ == "string" || typ == "integer" || typ == "number" {
		if err := checkEnum(obj, &f, where); err != nil {
			return nil, err
		}
	} else if _, ok := obj.get("x-labels"); ok {
		return nil, fmt.Errorf("%s: x-labels needs an enum", where)
	}

	if !root {
		if len(c.fields) >= MaxFields {
			return nil, fmt.Errorf("more than %d fields", MaxFields)
		}
		c.fields = append(c.fields, f)
	}

	switch typ {
	case "object":
		if err := c.walkObject(obj, n, path, depth, where); err != nil {
			return nil, err
		}
	case "array":
		if depth+1 > MaxDepth {
			return nil, fmt.Errorf("%s: nested deeper than %d levels", where, MaxDepth)
		}
		items, ok := obj.get("items")
		if !ok {
			return nil, fmt.Errorf(`%s: an array needs "items"`, where)
		}
		itemPath := path + "[]"
		if n.items, err = c.walk(items, name, itemPath, depth+1, false, false, &f); err != nil {
			return nil, err
		}
		if n.items.field.Type == "array" {
			return nil, fmt.Errorf("%s: a list of lists cannot be shown as a form", where)
		}
	}
	n.field = f
	return n, nil
}

func (c *checker) walkObject(obj *object, n *node, path string, depth int, where string) error {
	props, ok := obj.vals["properties"].(*object)
	if !ok || len(props.keys) == 0 {
		return fmt.Errorf(`%s: an object needs "properties" with at least one field`, where)
	}
	if depth+1 > MaxDepth {
		return fmt.Errorf("%s: nested deeper than %d levels", where, MaxDepth)
	}
	if ap, ok := obj.get("additionalProperties"); ok {
		if _, ok := ap.(bool); !ok {
			return fmt.Errorf("%s: additionalProperties must be true or false", where)
		}
	}
	required := map[string]bool{}
	if r, ok := obj.get("required"); ok {
		names, err := nameList(r, props, "required", where)
		if err != nil {
			return err
		}
		for _, k := range names {
			required[k] = true
		}
	}
	// jsonb, where request types are stored, does not keep the order of
	// keys; x-order lets the author fix the order of the fields on screen.
	// Fields it does not list follow in the order of "properties".
	order := []string{}
	if o, ok := obj.get("x-order"); ok {
		names, err := nameList(o, props, "x-order", where)
		if err != nil {
			return err
		}
		order = names
	}
	seen := map[string]bool{}
	for _, k := range order {
		seen[k] = true
	}
	for _, k := range props.keys {
		if !seen[k] {
			order = append(order, k)
		}
	}
	n.props = map[string]*node{}
	for _, k := range order {
		if !fieldName.MatchString(k) {
			return fmt.Errorf("%s: property name %q: use letters, digits, _ and - only (at most 64), starting with a letter", where, k)
		}
		childPath := k
		if path != "" {
			childPath = path + "." + k
		}
		child, err := c.walk(props.vals[k], k, childPath, depth+1, false, required[k], nil)
		if err != nil {
			return err
		}
		n.props[k] = child
	}
	return nil
}

// noOtherDocuments refuses references to other documents anywhere in the
// schema, $defs that no field uses included: the library would only try to
// load them if they were reached, and its loader refuses them anyway, but
// an administrator should learn when saving the form that it cannot work,
// not when a schema edit makes the reference reachable. $id and anchors
// are refused too, since they change what a reference resolves against.
func noOtherDocuments(v any) error {
	switch t := v.(type) {
	case *object:
		for _, k := range t.keys {
			switch k {
			case "$ref", "$dynamicRef":
				if s, ok := t.vals[k].(string); !ok || !strings.HasPrefix(s, "#") {
					return fmt.Errorf("%s %v refers to another document; a form may only refer to its own $defs", k, t.vals[k])
				}
			case "$id", "$anchor", "$dynamicAnchor":
				return fmt.Errorf("%s is not allowed in a form", k)
			}
			if err := noOtherDocuments(t.vals[k]); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range t {
			if err := noOtherDocuments(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// nameList reads a list of distinct names of properties (required, x-order).
func nameList(v any, props *object, kw, where string) ([]string, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: %s must be a list of property names", where, kw)
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%s: %s must be a list of property names", where, kw)
		}
		if _, ok := props.vals[s]; !ok {
			return nil, fmt.Errorf("%s: %s names %q, which is not among its properties", where, kw, s)
		}
		if seen[s] {
			return nil, fmt.Errorf("%s: %s names %q twice", where, kw, s)
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

// resolve follows a field's $ref within the schema itself ("#/$defs/..."),
// the referencing schema's own keywords (a title, say) taking precedence.
// Anything else would need a loader, and forms have none.
func (c *checker) resolve(sch any, where string) (*object, error) {
	for hops := 0; ; hops++ {
		obj, ok := sch.(*object)
		if !ok {
			return nil, fmt.Errorf("%s: must be a schema object", where)
		}
		ref, has := obj.vals["$ref"]
		if !has {
			return obj, nil
		}
		s, ok := ref.(string)
		if !ok || !strings.HasPrefix(s, "#") {
			return nil, fmt.Errorf("%s: $ref %v refers to another document; a form may only refer to its own $defs", where, ref)
		}
		if hops >= maxRefHops {
			return nil, fmt.Errorf("%s: more than %d $ref in a row", where, maxRefHops)
		}
		target, err := c.pointer(s[1:])
		if err != nil {
			return nil, fmt.Errorf("%s: $ref %s: %v", where, s, err)
		}
		t, ok := target.(*object)
		if !ok {
			return nil, fmt.Errorf("%s: $ref %s is not a schema object", where, s)
		}
		merged := &object{vals: map[string]any{}}
		for _, k := range t.keys {
			merged.keys = append(merged.keys, k)
			merged.vals[k] = t.vals[k]
		}
		for _, k := range obj.keys {
			if k == "$ref" {
				continue
			}
			if _, ok := merged.vals[k]; !ok {
				merged.keys = append(merged.keys, k)
			}
			merged.vals[k] = obj.vals[k]
		}
		sch = merged
	}
}

// pointer resolves a JSON pointer (RFC 6901, as a URI fragment) in the
// schema document.
func (c *checker) pointer(frag string) (any, error) {
	p, err := url.PathUnescape(frag)
	if err != nil {
		return nil, err
	}
	var cur any = c.doc
	if p == "" {
		return cur, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, errors.New("only JSON pointers (#/...) are supported")
	}
	for _, tok := range strings.Split(p[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := cur.(type) {
		case *object:
			next, ok := v.vals[tok]
			if !ok {
				return nil, fmt.Errorf("no %q", tok)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil, fmt.Errorf("no %q", tok)
			}
			cur = v[i]
		default:
			return nil, fmt.Errorf("no %q", tok)
		}
	}
	return cur, nil
}

// allowedKeyword lists what a form field of type typ may say. A schema
// keyword the renderer does not know would be enforced by the validator
// without being shown to the citizen, so everything else is refused.
// Keywords starting with x- are extensions, ignored by the validator.
func allowedKeyword(typ, kw string, root bool) bool {
	switch kw {
	case "type", "title", "description", "default", "examples", "$comment":
		return true
	case "$schema", "$defs":
		return root
	}
	if strings.HasPrefix(kw, "x-") {
		return true
	}
	switch typ {
	case "string":
		switch kw {
		case "pattern", "minLength", "maxLength", "format", "enum":
			return true
		}
	case "integer", "number":
		switch kw {
		case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum":
			return true
		}
	case "object":
		switch kw {
		case "properties", "required", "additionalProperties":
			return true
		}
	case "array":
		switch kw {
		case "items", "minItems", "maxItems", "uniqueItems":
			return true
		}
	}
	return false
}

func (c *checker) checkString(obj *object, f *Field, n *node, where string) error {
	var err error
	if f.Pattern, err = optString(obj, "pattern", where); err != nil {
		return err
	}
	if f.Pattern != "" {
		// The library compiles patterns with Go's regexp (RE2: linear time,
		// so a hostile pattern cannot stall validation); compiling it here
		// too names the field when it is wrong.
		if _, err := regexp.Compile(f.Pattern); err != nil {
			return fmt.Errorf("%s: pattern: %v", where, err)
		}
	}
	if h, ok := obj.get("x-pattern-hint"); ok {
		if f.Pattern == "" {
			return fmt.Errorf("%s: x-pattern-hint needs a pattern", where)
		}
		if n.patternHintRo, n.patternHintEn, err = label(h, where+": x-pattern-hint"); err != nil {
			return err
		}
	}
	if f.MinLength, err = optCount(obj, "minLength", where); err != nil {
		return err
	}
	if f.MaxLength, err = optCount(obj, "maxLength", where); err != nil {
		return err
	}
	if f.MinLength != nil && f.MaxLength != nil && *f.MinLength > *f.MaxLength {
		return fmt.Errorf("%s: minLength is greater than maxLength", where)
	}
	if f.Format, err = optString(obj, "format", where); err != nil {
		return err
	}
	switch f.Format {
	case "", "date", "date-time", "email", FormatCNP, FormatCUI:
	default:
		return fmt.Errorf("%s: format %q is not supported (date, date-time, email, cnp, cui)", where, f.Format)
	}
	return nil
}

func checkNumber(obj *object, f *Field, where string) error {
	bounds := []struct {
		kw  string
		dst *json.Number
	}{
		{"minimum", &f.Minimum},
		{"maximum", &f.Maximum},
		{"exclusiveMinimum", &f.ExclusiveMinimum},
		{"exclusiveMaximum", &f.ExclusiveMaximum},
		{"multipleOf", &f.MultipleOf},
	}
	rats := map[string]*big.Rat{}
	for _, b := range bounds {
		v, ok := obj.get(b.kw)
		if !ok {
			continue
		}
		num, ok := v.(json.Number)
		if !ok || !sane(num) {
			return fmt.Errorf("%s: %s must be a number a float64 can hold", where, b.kw)
		}
		r, _ := new(big.Rat).SetString(string(num))
		*b.dst = num
		rats[b.kw] = r
	}
	if m := rats["multipleOf"]; m != nil && m.Sign() <= 0 {
		return fmt.Errorf("%s: multipleOf must be greater than 0", where)
	}
	for _, lo := range []string{"minimum", "exclusiveMinimum"} {
		for _, hi := range []string{"maximum", "exclusiveMaximum"} {
			if rats[lo] != nil && rats[hi] != nil && rats[lo].Cmp(rats[hi]) > 0 {
				return fmt.Errorf("%s: %s is greater than %s", where, lo, hi)
			}
		}
	}
	return nil
}

func checkArray(obj *object, f *Field, where string) error {
	var err error
	if f.MinItems, err = optCount(obj, "minItems", where); err != nil {
		return err
	}
	if f.MaxItems, err = optCount(obj, "maxItems", where); err != nil {
		return err
	}
	if f.MinItems != nil && f.MaxItems != nil && *f.MinItems > *f.MaxItems {
		return fmt.Errorf("%s: minItems is greater than maxItems", where)
	}
	if u, ok := obj.get("uniqueItems"); ok {
		if f.UniqueItems, ok = u.(bool); !ok {
			return fmt.Errorf("%s: uniqueItems must be true or false", where)
		}
	}
	return nil
}

// maxEnum bounds the values of one enum: a form shows them all.
const maxEnum = 500

func checkEnum(obj *object, f *Field, where string) error {
	e, ok := obj.get("enum")
	if !ok {
		if _, ok := obj.get("x-labels"); ok {
			return fmt.Errorf("%s: x-labels needs an enum", where)
		}
		return nil
	}
	vals, ok := e.([]any)
	if !ok || len(vals) == 0 || len(vals) > maxEnum {
		return fmt.Errorf("%s: enum must be a list of 1 to %d values", where, maxEnum)
	}
	var labels *object
	if l, ok := obj.get("x-labels"); ok {
		if labels, ok = l.(*object); !ok {
			return fmt.Errorf(`%s: x-labels must map each value to {"ro": ..., "en": ...}`, where)
		}
	}
	seen := map[string]bool{}
	for _, v := range vals {
		key, err := enumKey(v, f.Type)
		if err != nil {
			return fmt.Errorf("%s: enum value %v: %v", where, v, err)
		}
		if seen[key] {
			return fmt.Errorf("%s: enum lists %q twice", where, key)
		}
		seen[key] = true
		o := Option{Value: v, Label: key, LabelEn: key}
		if labels != nil {
			if l, ok := labels.get(key); ok {
				if o.Label, o.LabelEn, err = label(l, where+": x-labels "+strconv.Quote(key)); err != nil {
					return err
				}
			}
		}
		f.Enum = append(f.Enum, o)
	}
	if labels != nil {
		for _, k := range labels.keys {
			if !seen[k] {
				return fmt.Errorf("%s: x-labels has %q, which is not in the enum", where, k)
			}
		}
	}
	return nil
}

// enumKey is how an enum value is named in x-labels: a string as is, a
// number as written.
func enumKey(v any, typ string) (string, error) {
	switch typ {
	case "string":
		if s, ok := v.(string); ok {
			return s, nil
		}
		return "", errors.New("must be a string")
	default:
		num, ok := v.(json.Number)
		if !ok || !sane(num) {
			return "", errors.New("must be a number a float64 can hold")
		}
		r, _ := new(big.Rat).SetString(string(num))
		if typ == "integer" && !r.IsInt() {
			return "", errors.New("must be a whole number")
		}
		return string(num), nil
	}
}

// label reads {"ro": "...", "en": "..."}; English falls back to Romanian.
func label(v any, where string) (ro, en string, err error) {
	o, ok := v.(*object)
	if !ok {
		return "", "", fmt.Errorf(`%s: must be {"ro": ..., "en": ...}`, where)
	}
	ro, _ = o.vals["ro"].(string)
	en, _ = o.vals["en"].(string)
	if ro == "" {
		return "", "", fmt.Errorf(`%s: needs "ro"`, where)
	}
	if en == "" {
		en = ro
	}
	return ro, en, nil
}

func optString(obj *object, kw, where string) (string, error) {
	v, ok := obj.get(kw)
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s: %s must be a string", where, kw)
	}
	return s, nil
}

// optCount reads a non-negative integer keyword (minLength, maxItems...).
func optCount(obj *object, kw, where string) (*int, error) {
	v, ok := obj.get(kw)
	if !ok {
		return nil, nil
	}
	num, _ := v.(json.Number)
	i, err := strconv.ParseInt(string(num), 10, 32)
	if err != nil || i < 0 {
		return nil, fmt.Errorf("%s: %s must be a whole number from 0 to %d", where, kw, int32(^uint32(0)>>1))
	}
	n := int(i)
	return &n, nil
}

// plain turns an ordered value into the plain form encoding/json makes.
func plain(v any) any {
	switch t := v.(type) {
	case *object:
		m := make(map[string]any, len(t.vals))
		for k, e := range t.vals {
			m[k] = plain(e)
		}
		return m
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plain(e)
		}
		return out
	default:
		return v
	}
}
