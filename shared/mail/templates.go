package mail

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	texttemplate "text/template"
	"text/template/parse"
	"time"

	// The dates in mails are in Romanian time wherever the function runs,
	// including an image without a zoneinfo database.
	_ "time/tzdata"

	"github.com/ghiseu/ghiseu/shared/deadlines"
)

// The locales mails are written in. Romanian, the official language, is the
// default.
const (
	Romanian = "ro"
	English  = "en"
)

// Locales lists the locales there are templates in.
func Locales() []string { return []string{Romanian, English} }

// TimeZone is the zone of every date and time in a mail: the platform serves
// Romanian institutions.
const TimeZone = "Europe/Bucharest"

// templates/ holds one directory per kind of notification, named as
// Render's name argument, with four files:
//
//	ro.txt, en.txt    text/template: {{define "subject"}} and {{define "content"}},
//	                  optionally {{define "sms"}} (a text message; none is sent
//	                  without it) and {{define "notice"}} (the in-app notification)
//	ro.html, en.html  html/template: {{define "content"}}
//
// framed by layout.txt and layout.html, which add the footer. Adding a kind
// of notification is adding a directory.
//
//go:embed templates
var templateFiles embed.FS

// Data is what a template receives. Its fields grow with the kinds of
// notification; a template uses those its kind has.
type Data struct {
	// Name is the recipient's display name.
	Name string
	// Link is the link the notification is about: a one-time link (a
	// credential: it goes into the mail and nowhere else) or the request's
	// page on the portal.
	Link string
	// ExpiresAt is when a one-time Link stops working.
	ExpiresAt time.Time

	// Institution is the name of the institution the request was made to.
	Institution string
	// RequestType is the name of the request's type.
	RequestType string
	// RegisterCode, Number and Year are the request's registration, and
	// RegisteredAt its time.
	RegisterCode string
	Number       int64
	Year         int
	RegisteredAt time.Time
	// Deadline is the last day of the request's term, nil when it has none.
	Deadline *deadlines.Date
	// DaysLeft is the calendar days until Deadline (a reminder).
	DaysLeft int
	// Term is which term a reminder is about: "refusal" when Deadline is
	// the last day for a reasoned refusal (public information, Law
	// 544/2001 art. 7(2)); "answer" or empty for the answer's.
	Term string
	// Days is the length of an extension.
	Days int
	// Note is what the institution wrote: the question, the reason of a
	// refusal or of an extension.
	Note string
	// Destination is where a request was forwarded.
	Destination string

	// OccurredAt is about when what an operators' notice tells happened:
	// when its event was announced, or its message queued.
	OccurredAt time.Time
	// Event is the data of the platform event an operators' notice is
	// about, keyed as its schema in shared/events/schemas names it:
	// {{.Event.error}} is why a backup failed. Numbers stay as written.
	Event map[string]any
}

// SampleData is data with every field set, for checking that a template
// renders before it is saved.
func SampleData() Data {
	deadline := deadlines.Date{Year: 2026, Month: time.April, Day: 1}
	return Data{Name: "Ana Popescu", Link: "https://ghiseu.example/cereri/0190e3c8-0000-7000-8000-000000000001/0190e3c8-0000-7000-8000-000000000000",
		ExpiresAt: time.Date(2026, time.March, 2, 12, 0, 0, 0, time.UTC), Institution: "Primăria Municipiului Lugoj",
		RequestType: "Petiție", RegisterCode: "I", Number: 1234, Year: 2026,
		RegisteredAt: time.Date(2026, time.March, 2, 8, 30, 0, 0, time.UTC), Deadline: &deadline, DaysLeft: 3, Term: "answer", Days: 15,
		Note: "Vă rugăm să trimiteți copia actului de proprietate.", Destination: "Consiliul Județean Timiș",
		OccurredAt: time.Date(2026, time.March, 2, 0, 0, 5, 0, time.UTC),
		Event: map[string]any{"error": "pg_dump: exit status 1", "backupId": "20260302T000005.000Z", "verified": false,
			"verificationError": "row counts differ: registry_entry 1204, want 1205", "damagedDocuments": json.Number("2"),
			"checked": json.Number("1520"), "mismatched": json.Number("1"), "missing": json.Number("0"),
			"unreadable": json.Number("0"), "auditBroken": json.Number("0")}}
}

// Parts of a template, as institutions edit them: each is a template body
// (text/template, or html/template for HTML). Subject and Text are
// required; without HTML the mail is text only, without SMS no text
// message is sent, without Notice an in-app notification has a title only.
type Parts struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
	SMS     string `json:"sms"`
	Notice  string `json:"notice"`
}

// Names of the parts, as PartError and the API name them.
const (
	PartSubject = "subject"
	PartText    = "text"
	PartHTML    = "html"
	PartSMS     = "sms"
	PartNotice  = "notice"
)

// PartError is what is wrong with one part of a template.
type PartError struct {
	Part string
	Err  error
}

func (e *PartError) Error() string { return e.Part + ": " + e.Err.Error() }
func (e *PartError) Unwrap() error { return e.Err }

// PartErrors lists what is wrong with a template, part by part.
type PartErrors []*PartError

func (es PartErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return "mail template: " + strings.Join(msgs, "; ")
}

// maxOutput bounds what one part may render to: templates edited by
// institutions run on the platform, and a loop must not exhaust memory.
const maxOutput = 256 << 10

// Set is one template, parsed and ready to render.
type Set struct {
	locale string
	text   *texttemplate.Template // layout.txt, subject, content, and sms, notice if any
	html   *htmltemplate.Template // layout.html and content; nil for a text-only mail
}

// Templates renders notifications from the embedded templates, and parses
// the templates institutions write.
type Templates struct {
	zone    *time.Location
	sets    map[setKey]*Set
	sources map[setKey]Parts
}

type setKey struct{ name, locale string }

// LoadTemplates parses every template, so that a broken or missing one stops
// a function at start rather than failing its first event.
func LoadTemplates() (*Templates, error) {
	zone, err := time.LoadLocation(TimeZone)
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	entries, err := fs.ReadDir(templateFiles, "templates")
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	t := &Templates{zone: zone, sets: map[setKey]*Set{}, sources: map[setKey]Parts{}}
	for _, entry := range entries {
		if !entry.IsDir() {
			continue
		}
		for _, locale := range Locales() {
			key := setKey{entry.Name(), locale}
			if t.sources[key], err = t.builtinParts(entry.Name(), locale); err != nil {
				return nil, fmt.Errorf("mail template %s/%s: %w", entry.Name(), locale, err)
			}
			// The embedded templates go through the same parser as an
			// institution's, so both follow the same rules.
			if t.sets[key], err = t.Parse(locale, t.sources[key]); err != nil {
				return nil, fmt.Errorf("mail template %s/%s: %w", entry.Name(), locale, err)
			}
		}
	}
	return t, nil
}

// builtinParts reads the parts of an embedded template from its files.
func (t *Templates) builtinParts(name, locale string) (Parts, error) {
	dir := path.Join("templates", name)
	read := func(file string, defs ...string) (map[string]string, error) {
		b, err := fs.ReadFile(templateFiles, path.Join(dir, file))
		if err != nil {
			return nil, err
		}
		// Parsed only to split the file into its definitions; the source
		// of each is printed back from the tree.
		tmpl, err := texttemplate.New(file).Funcs(t.funcs(locale)).Parse(string(b))
		if err != nil {
			return nil, err
		}
		out := map[string]string{}
		for _, def := range defs {
			if d := tmpl.Lookup(def); d != nil && d.Tree != nil {
				out[def] = d.Tree.Root.String()
			}
		}
		return out, nil
	}
	txt, err := read(locale+".txt", "subject", "content", "sms", "notice")
	if err != nil {
		return Parts{}, err
	}
	html, err := read(locale+".html", "content")
	if err != nil {
		return Parts{}, err
	}
	p := Parts{Subject: txt["subject"], Text: txt["content"], HTML: html["content"], SMS: txt["sms"], Notice: txt["notice"]}
	if p.HTML == "" {
		return Parts{}, fmt.Errorf(`%s.html does not define "content"`, locale)
	}
	return p, nil
}

func (t *Templates) funcs(locale string) map[string]any {
	return map[string]any{
		"datetime": func(at time.Time) string { return formatDateTime(at, locale, t.zone) },
		"date":     func(v any) (string, error) { return formatDate(v, locale, t.zone) },
	}
}

// Parse parses the parts of a template written in locale. What is wrong is
// returned as PartErrors, one per faulty part. A part may use the fields of
// Data and the functions datetime and date, and nothing else: no template
// definitions or calls, which could replace the layout or recurse.
func (t *Templates) Parse(locale string, p Parts) (*Set, error) {
	var errs PartErrors
	fail := func(part string, err error) { errs = append(errs, &PartError{Part: part, Err: err}) }
	for _, part := range []struct {
		name, src string
		required  bool
	}{{PartSubject, p.Subject, true}, {PartText, p.Text, true}, {PartHTML, p.HTML, false},
		{PartSMS, p.SMS, false}, {PartNotice, p.Notice, false}} {
		if strings.TrimSpace(part.src) == "" {
			if part.required {
				fail(part.name, errors.New("is required"))
			}
			continue
		}
		if err := checkSource(part.src, t.funcs(locale)); err != nil {
			fail(part.name, err)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	s := &Set{locale: locale}
	var err error
	s.text, err = texttemplate.New("").Funcs(t.funcs(locale)).Option("missingkey=error").
		ParseFS(templateFiles, "templates/layout.txt")
	if err != nil {
		return nil, fmt.Errorf("mail layout: %w", err)
	}
	for def, src := range map[string]string{"subject": p.Subject, "content": p.Text, "sms": p.SMS, "notice": p.Notice} {
		if strings.TrimSpace(src) == "" {
			continue
		}
		if _, err := s.text.New(def).Parse(src); err != nil {
			return nil, fmt.Errorf("mail template %s: %w", def, err)
		}
	}
	if strings.TrimSpace(p.HTML) != "" {
		s.html, err = htmltemplate.New("").Funcs(t.funcs(locale)).Option("missingkey=error").
			ParseFS(templateFiles, "templates/layout.html")
		if err != nil {
			return nil, fmt.Errorf("mail layout: %w", err)
		}
		if _, err := s.html.New("content").Parse(p.HTML); err != nil {
			return nil, PartErrors{{Part: PartHTML, Err: err}}
		}
	}
	return s, nil
}

// checkSource parses one part on its own and refuses definitions and
// template calls.
func checkSource(src string, funcs map[string]any) error {
	tmpl, err := texttemplate.New("part").Funcs(funcs).Parse(src)
	if err != nil {
		return err
	}
	if len(tmpl.Templates()) > 1 {
		return errors.New("may not define templates")
	}
	var walk func(n parse.Node) error
	walk = func(n parse.Node) error {
		switch n := n.(type) {
		case *parse.TemplateNode:
			return fmt.Errorf("may not call templates (%s)", n)
		case *parse.ListNode:
			if n == nil {
				return nil
			}
			for _, c := range n.Nodes {
				if err := walk(c); err != nil {
					return err
				}
			}
		case *parse.IfNode:
			return walkBranch(walk, &n.BranchNode)
		case *parse.RangeNode:
			return walkBranch(walk, &n.BranchNode)
		case *parse.WithNode:
			return walkBranch(walk, &n.BranchNode)
		}
		return nil
	}
	if tmpl.Tree == nil {
		return nil
	}
	return walk(tmpl.Tree.Root)
}

func walkBranch(walk func(parse.Node) error, b *parse.BranchNode) error {
	if err := walk(b.List); err != nil {
		return err
	}
	if b.ElseList != nil {
		return walk(b.ElseList)
	}
	return nil
}

// Check parses p and renders every part with SampleData, and returns what
// is wrong, part by part; nil means the template can be saved.
func (t *Templates) Check(locale string, p Parts) PartErrors {
	s, err := t.Parse(locale, p)
	var perrs PartErrors
	switch {
	case errors.As(err, &perrs):
		return perrs
	case err != nil:
		return PartErrors{{Part: PartText, Err: err}}
	}
	var errs PartErrors
	// The layouts show the subject; a faulty one is the subject's fault
	// only, so the other parts are checked with an empty one.
	subject, err := s.renderPart(PartSubject, SampleData(), "")
	if err != nil {
		errs = append(errs, &PartError{Part: PartSubject, Err: err})
	}
	for _, part := range []string{PartText, PartHTML, PartSMS, PartNotice} {
		if _, err := s.renderPart(part, SampleData(), subject); err != nil {
			errs = append(errs, &PartError{Part: part, Err: err})
		}
	}
	return errs
}

// Names lists the kinds of notification there are templates for, sorted.
func (t *Templates) Names() []string {
	var names []string
	for k := range t.sets {
		if k.locale == Romanian {
			names = append(names, k.name)
		}
	}
	sort.Strings(names)
	return names
}

// Has reports whether there are templates named name.
func (t *Templates) Has(name string) bool {
	_, ok := t.sets[setKey{name, Romanian}]
	return ok
}

// Builtin returns the embedded template name in locale. A locale without
// templates gets Romanian: the official language is better than nothing.
func (t *Templates) Builtin(name, locale string) (*Set, bool) {
	if s, ok := t.sets[setKey{name, locale}]; ok {
		return s, true
	}
	s, ok := t.sets[setKey{name, Romanian}]
	return s, ok
}

// Source returns the parts of the embedded template name in locale, as an
// institution starts editing them.
func (t *Templates) Source(name, locale string) (Parts, bool) {
	p, ok := t.sources[setKey{name, locale}]
	return p, ok
}

// Render writes the embedded template name in locale (Romanian for a
// locale without templates).
func (t *Templates) Render(name, locale string, d Data) (Content, error) {
	s, ok := t.Builtin(name, locale)
	if !ok {
		return Content{}, fmt.Errorf("mail template %s: no such template", name)
	}
	c, err := s.Render(d)
	if err != nil {
		return Content{}, fmt.Errorf("mail template %s/%s: %w", name, s.locale, err)
	}
	return c, nil
}

// HasSMS reports whether the template writes a text message.
func (s *Set) HasSMS() bool { return s.text.Lookup("sms") != nil }

// Render writes every part of the template with d.
func (s *Set) Render(d Data) (Content, error) {
	var c Content
	for _, part := range []struct {
		name string
		dst  *string
	}{{PartSubject, &c.Subject}, {PartText, &c.Text}, {PartHTML, &c.HTML}, {PartSMS, &c.SMS}, {PartNotice, &c.Notice}} {
		out, err := s.renderPart(part.name, d, c.Subject)
		if err != nil {
			return Content{}, &PartError{Part: part.name, Err: err}
		}
		*part.dst = out
	}
	return c, nil
}

// view is what templates execute with: the data, and what the layouts need.
type view struct {
	Data
	Locale  string
	Subject string
}

// renderPart writes one part; a part the template does not have is empty.
// The layouts of text and HTML show subject.
func (s *Set) renderPart(part string, d Data, subject string) (string, error) {
	v := view{Data: d, Locale: s.locale, Subject: subject}
	b := &limitedBuffer{max: maxOutput}
	oneLine := func(def string) (string, error) {
		if s.text.Lookup(def) == nil {
			return "", nil
		}
		if err := s.text.ExecuteTemplate(b, def, v); err != nil {
			return "", err
		}
		return strings.Join(strings.Fields(b.String()), " "), nil
	}
	switch part {
	case PartSubject:
		return oneLine("subject")
	case PartSMS:
		// A text message is one line whatever the template's layout.
		return oneLine("sms")
	case PartNotice:
		if s.text.Lookup("notice") == nil {
			return "", nil
		}
		if err := s.text.ExecuteTemplate(b, "notice", v); err != nil {
			return "", err
		}
		return strings.TrimSpace(b.String()), nil
	case PartText, PartHTML:
		if part == PartHTML {
			if s.html == nil {
				return "", nil
			}
			if err := s.html.ExecuteTemplate(b, "layout.html", v); err != nil {
				return "", err
			}
			return b.String(), nil
		}
		if err := s.text.ExecuteTemplate(b, "layout.txt", v); err != nil {
			return "", err
		}
		return strings.TrimSpace(b.String()) + "\n", nil
	}
	return "", fmt.Errorf("no part %q", part)
}

// limitedBuffer fails a write past max bytes, which stops the template.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

var errTooLong = fmt.Errorf("renders to more than %d bytes", maxOutput)

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, errTooLong
	}
	return b.Buffer.Write(p)
}

// formatDateTime writes t as people write it in locale, in zone:
// "24 noiembrie 2026, ora 14:05" or "24 November 2026, 14:05".
func formatDateTime(t time.Time, locale string, zone *time.Location) string {
	t = t.In(zone)
	if locale == English {
		return t.Format("2 January 2006, 15:04")
	}
	return fmt.Sprintf("%s, ora %02d:%02d", romanianDate(t.Year(), t.Month(), t.Day()), t.Hour(), t.Minute())
}

// formatDate writes a day as people write it in locale: "1 aprilie 2026"
// or "1 April 2026". v is a calendar day (deadlines.Date), or an instant,
// whose day is taken in zone.
func formatDate(v any, locale string, zone *time.Location) (string, error) {
	var y, d int
	var m time.Month
	switch v := v.(type) {
	case deadlines.Date:
		y, m, d = v.Year, v.Month, v.Day
	case *deadlines.Date:
		if v == nil {
			return "", nil
		}
		y, m, d = v.Year, v.Month, v.Day
	case time.Time:
		y, m, d = v.In(zone).Date()
	default:
		return "", fmt.Errorf("date: %T is not a date", v)
	}
	if locale == English {
		return fmt.Sprintf("%d %s %d", d, m, y), nil
	}
	return romanianDate(y, m, d), nil
}

func romanianDate(y int, m time.Month, d int) string {
	months := [...]string{"ianuarie", "februarie", "martie", "aprilie", "mai", "iunie",
		"iulie", "august", "septembrie", "octombrie", "noiembrie", "decembrie"}
	return fmt.Sprintf("%d %s %d", d, months[m-1], y)
}
