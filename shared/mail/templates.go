package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"
	// The dates in mails are in Romanian time wherever the function runs,
	// including an image without a zoneinfo database.
	_ "time/tzdata"
)

// The locales mails are written in. Romanian, the official language, is the
// default.
const (
	Romanian = "ro"
	English  = "en"
)

// TimeZone is the zone of every date and time in a mail: the platform serves
// Romanian institutions.
const TimeZone = "Europe/Bucharest"

// templates/ holds one directory per kind of mail, named as Render's name
// argument, with four files:
//
//	ro.txt, en.txt    text/template: {{define "subject"}} and {{define "content"}}
//	ro.html, en.html  html/template: {{define "content"}}
//
// framed by layout.txt and layout.html, which add the greeting's frame and
// the footer. Adding a kind of mail is adding a directory.
//
//go:embed templates
var templateFiles embed.FS

// Data is what a template receives. Its fields grow with the kinds of mail.
type Data struct {
	// Name is the recipient's display name.
	Name string
	// Link is the link the mail is about. A one-time link is a credential:
	// it goes into the mail and nowhere else.
	Link string
	// ExpiresAt is when Link stops working.
	ExpiresAt time.Time
}

// view is what templates execute with: the data, and what the layouts need.
type view struct {
	Data
	Locale  string
	Subject string
}

// Templates renders mails from the embedded templates.
type Templates struct {
	sets map[setKey]templateSet
}

type setKey struct{ name, locale string }

type templateSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

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
	t := &Templates{sets: map[setKey]templateSet{}}
	for _, entry := range entries {
		if !entry.IsDir() {
			continue
		}
		for _, locale := range []string{Romanian, English} {
			set, err := parseSet(entry.Name(), locale, zone)
			if err != nil {
				return nil, fmt.Errorf("mail template %s/%s: %w", entry.Name(), locale, err)
			}
			t.sets[setKey{entry.Name(), locale}] = set
		}
	}
	return t, nil
}

func parseSet(name, locale string, zone *time.Location) (templateSet, error) {
	funcs := map[string]any{"datetime": func(t time.Time) string { return formatDateTime(t, locale, zone) }}
	dir := path.Join("templates", name)
	text, err := texttemplate.New("").Funcs(funcs).Option("missingkey=error").
		ParseFS(templateFiles, "templates/layout.txt", path.Join(dir, locale+".txt"))
	if err != nil {
		return templateSet{}, err
	}
	html, err := htmltemplate.New("").Funcs(funcs).Option("missingkey=error").
		ParseFS(templateFiles, "templates/layout.html", path.Join(dir, locale+".html"))
	if err != nil {
		return templateSet{}, err
	}
	for _, def := range []string{"subject", "content"} {
		if text.Lookup(def) == nil {
			return templateSet{}, fmt.Errorf("%s.txt does not define %q", locale, def)
		}
	}
	if html.Lookup("content") == nil {
		return templateSet{}, fmt.Errorf(`%s.html does not define "content"`, locale)
	}
	return templateSet{text: text, html: html}, nil
}

// Names lists the kinds of mail there are templates for, sorted.
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

// Render writes the mail name in locale. A locale without templates gets
// Romanian: the official language is better than no mail.
func (t *Templates) Render(name, locale string, d Data) (Content, error) {
	set, ok := t.sets[setKey{name, locale}]
	if !ok {
		locale = Romanian
		if set, ok = t.sets[setKey{name, locale}]; !ok {
			return Content{}, fmt.Errorf("mail template %s: no such template", name)
		}
	}
	v := view{Data: d, Locale: locale}
	var b bytes.Buffer
	if err := set.text.ExecuteTemplate(&b, "subject", v); err != nil {
		return Content{}, fmt.Errorf("mail template %s/%s: subject: %w", name, locale, err)
	}
	// A subject is one line whatever the template's layout.
	v.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := set.text.ExecuteTemplate(&b, "layout.txt", v); err != nil {
		return Content{}, fmt.Errorf("mail template %s/%s: text: %w", name, locale, err)
	}
	text := strings.TrimSpace(b.String()) + "\n"
	b.Reset()
	if err := set.html.ExecuteTemplate(&b, "layout.html", v); err != nil {
		return Content{}, fmt.Errorf("mail template %s/%s: html: %w", name, locale, err)
	}
	return Content{Subject: v.Subject, Text: text, HTML: b.String()}, nil
}

// formatDateTime writes t as people write it in locale, in zone:
// "24 noiembrie 2026, ora 14:05" or "24 November 2026, 14:05".
func formatDateTime(t time.Time, locale string, zone *time.Location) string {
	t = t.In(zone)
	if locale == English {
		return t.Format("2 January 2006, 15:04")
	}
	months := [...]string{"ianuarie", "februarie", "martie", "aprilie", "mai", "iunie",
		"iulie", "august", "septembrie", "octombrie", "noiembrie", "decembrie"}
	return fmt.Sprintf("%d %s %d, ora %02d:%02d", t.Day(), months[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}
