package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/ghiseu/ghiseu/shared/deadlines"
)

func TestRender(t *testing.T) {
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	// 12:05 UTC on 24 November is 14:05 in Bucharest (EET, UTC+2).
	expires := time.Date(2026, time.November, 24, 12, 5, 0, 0, time.UTC)
	d := Data{Name: "Ștefan Țăranu", Link: "https://ghiseu.test/verify-email?token=abc_DEF-123&x=1", ExpiresAt: expires}
	tests := []struct {
		name, locale string
		subject      string
		date         string
		words        []string // in both bodies: the language is the right one
	}{
		{"account-verification", Romanian, "Confirmați adresa de e-mail a contului Ghișeu",
			"24 noiembrie 2026, ora 14:05", []string{"Bună ziua", "până la", "singură dată"}},
		{"account-verification", English, "Confirm the email address of your Ghișeu account",
			"24 November 2026, 14:05", []string{"Hello", "works until", "only once"}},
		{"password-reset", Romanian, "Resetarea parolei contului Ghișeu",
			"24 noiembrie 2026, ora 14:05", []string{"Bună ziua", "parolă nouă", "rămâne"}},
		{"password-reset", English, "Reset the password of your Ghișeu account",
			"24 November 2026, 14:05", []string{"Hello", "new password", "only once"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.locale, func(t *testing.T) {
			c, err := tpl.Render(tt.name, tt.locale, d)
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", c.Subject, tt.subject)
			}
			for _, want := range append([]string{d.Name, d.Link, tt.date}, tt.words...) {
				if !strings.Contains(c.Text, want) {
					t.Errorf("text does not contain %q:\n%s", want, c.Text)
				}
			}
			// html/template escapes & in the link; the browser reads it back.
			htmlLink := strings.ReplaceAll(d.Link, "&", "&amp;")
			for _, want := range append([]string{d.Name, `href="` + htmlLink + `"`, tt.date, `lang="` + tt.locale + `"`}, tt.words...) {
				if !strings.Contains(c.HTML, want) {
					t.Errorf("html does not contain %q:\n%s", want, c.HTML)
				}
			}
			if !strings.HasSuffix(c.Text, "\n") || strings.HasPrefix(c.Text, "\n") {
				t.Errorf("text is not trimmed to end with one newline: %q", c.Text)
			}
		})
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	c, err := tpl.Render("account-verification", Romanian, Data{Name: `<script>alert("x")</script>`,
		Link: "javascript:alert(1)", ExpiresAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.HTML, "<script>") || strings.Contains(c.HTML, `href="javascript:`) {
		t.Fatalf("the HTML part lets markup or a script link through:\n%s", c.HTML)
	}
}

// TestTemplatesComplete checks every kind of notification in both locales:
// every template renders every part it has with data in every field, and
// Romanian text uses ș and ț with a comma below, not the cedilla
// look-alikes ş and ţ that older keyboards produce.
func TestTemplatesComplete(t *testing.T) {
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	names := tpl.Names()
	if len(names) < 2 || !tpl.Has("account-verification") || !tpl.Has("password-reset") {
		t.Fatalf("templates = %v, want at least account-verification and password-reset", names)
	}
	for _, name := range names {
		for _, locale := range Locales() {
			c, err := tpl.Render(name, locale, SampleData())
			if err != nil {
				t.Fatalf("%s/%s: %v", name, locale, err)
			}
			if c.Subject == "" || c.Text == "" || c.HTML == "" {
				t.Errorf("%s/%s: empty part: %+v", name, locale, c)
			}
			if strings.ContainsAny(c.Subject+c.Text+c.HTML+c.SMS+c.Notice, "şţŞŢ") {
				t.Errorf("%s/%s: cedilla ş or ţ instead of comma-below ș or ț", name, locale)
			}
			if strings.Contains(c.Text, "\n\n\n") {
				t.Errorf("%s/%s: the text has empty paragraphs:\n%s", name, locale, c.Text)
			}
			if src, ok := tpl.Source(name, locale); !ok || src.Subject == "" || src.Text == "" || src.HTML == "" {
				t.Errorf("%s/%s: source %+v", name, locale, src)
			}
		}
	}
}

// The request notifications say what happened, with the request's number,
// date and deadline written as Romanians write them, and the institution's
// note where there is one.
func TestRequestTemplates(t *testing.T) {
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	d := SampleData()
	tests := []struct {
		name, locale, subject string
		text                  []string
		sms, notice           bool
	}{
		{"request-registered", Romanian, "Cererea dumneavoastră a fost înregistrată cu nr. 1234 din 2 martie 2026",
			[]string{"Bună ziua, Ana Popescu,", "„Petiție”", "Primăria Municipiului Lugoj", "2 martie 2026, ora 10:30", "1 aprilie 2026", "atașată"}, true, true},
		{"request-registered", English, "Your request was registered as no. 1234 of 2 March 2026",
			[]string{"Hello Ana Popescu,", "1 April 2026", "attached"}, true, true},
		{"request-info-requested", Romanian, "Informații suplimentare pentru cererea nr. 1234 din 2 martie 2026",
			[]string{d.Note, d.Link}, true, true},
		{"request-extended", Romanian, "Termenul de răspuns la cererea nr. 1234 din 2 martie 2026 a fost prelungit",
			[]string{"15 zile", "Noul termen este 1 aprilie 2026", d.Note}, true, true},
		{"request-resolved", Romanian, "Cererea nr. 1234 din 2 martie 2026 a fost soluționată",
			[]string{"Mesajul instituției:\n\n" + d.Note, d.Link}, true, true},
		{"request-resolved", English, "Request no. 1234 of 2 March 2026 was answered",
			[]string{"The institution's message:\n\n" + d.Note, d.Link}, true, true},
		{"request-rejected", Romanian, "Cererea nr. 1234 din 2 martie 2026 a fost respinsă", []string{d.Note}, true, true},
		{"request-forwarded", Romanian, "Cererea nr. 1234 din 2 martie 2026 a fost trimisă instituției competente",
			[]string{d.Destination, d.Note}, true, true},
		{"request-filed", Romanian, "Cererea nr. 1234 din 2 martie 2026 a fost clasată", []string{d.Note}, true, true},
		{"request-assigned", Romanian, "Vi s-a repartizat cererea nr. 1234 din 2 martie 2026",
			[]string{"Termenul legal de răspuns este 1 aprilie 2026"}, false, true},
		{"request-deadline-approaching", Romanian, "Termenul cererii nr. 1234 din 2 martie 2026 expiră în 3 zile",
			[]string{"1 aprilie 2026", "nu este încă soluționată"}, false, true},
		{"request-deadline-approaching", English, "The deadline of request no. 1234 of 2 March 2026 is in 3 days",
			[]string{"1 April 2026"}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.locale, func(t *testing.T) {
			c, err := tpl.Render(tt.name, tt.locale, d)
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", c.Subject, tt.subject)
			}
			for _, want := range tt.text {
				if !strings.Contains(c.Text, want) {
					t.Errorf("text does not contain %q:\n%s", want, c.Text)
				}
			}
			if (c.SMS != "") != tt.sms || (c.Notice != "") != tt.notice {
				t.Errorf("sms %q, notice %q; want an SMS %v, a notice %v", c.SMS, c.Notice, tt.sms, tt.notice)
			}
			if tt.sms && (!strings.Contains(c.SMS, d.Link) || strings.Contains(c.SMS, "\n")) {
				t.Errorf("SMS %q: want one line with the link", c.SMS)
			}
			if set, _ := tpl.Builtin(tt.name, tt.locale); set.HasSMS() != tt.sms {
				t.Errorf("HasSMS = %v, want %v", set.HasSMS(), tt.sms)
			}
		})
	}
	t.Run("an answer without a message says none", func(t *testing.T) {
		d := SampleData()
		d.Note = ""
		for _, locale := range []string{Romanian, English} {
			c, err := tpl.Render("request-resolved", locale, d)
			if err != nil || strings.Contains(c.Text, "Mesajul instituției") || strings.Contains(c.Text, "institution's message") || strings.Contains(c.HTML, "border-left") ||
				!strings.Contains(c.Text, d.Link) {
				t.Errorf("%s: %v\n%s", locale, err, c.Text)
			}
		}
	})
	t.Run("a reminder on the last day says today", func(t *testing.T) {
		d := SampleData()
		d.DaysLeft = 0
		c, err := tpl.Render("request-deadline-approaching", Romanian, d)
		if err != nil || !strings.HasSuffix(c.Subject, "expiră astăzi") {
			t.Fatalf("subject %q, %v", c.Subject, err)
		}
	})
	t.Run("a reminder of the term for a reasoned refusal says so", func(t *testing.T) {
		// Public information: 5 days for a reasoned refusal (Law 544/2001
		// art. 7(2)); Deadline is then that term's last day.
		d := SampleData()
		d.Term = "refusal"
		d.DaysLeft = 1
		refusalDay := deadlines.Date{Year: 2026, Month: time.March, Day: 9}
		d.Deadline = &refusalDay
		for _, tt := range []struct {
			locale, subject string
			text, html      []string
			notice          string
		}{
			{Romanian, "Termenul pentru un refuz motivat la cererea nr. 1234 din 2 martie 2026 expiră mâine",
				[]string{"Termenul pentru un refuz motivat la cererea de informații de interes public „Petiție” nr. 1234 din 2 martie 2026 expiră mâine, la data de 9 martie 2026",
					"art. 7 alin. (2) din Legea nr. 544/2001", "transmiteți solicitantului refuzul motivat", d.Link},
				[]string{"refuz motivat", "9 martie 2026", d.Link},
				"Termenul pentru un refuz motivat la cererea „Petiție” nr. 1234 din 2 martie 2026 expiră mâine (9 martie 2026)."},
			{English, "The term for a reasoned refusal of request no. 1234 of 2 March 2026 ends tomorrow",
				[]string{"The term for a reasoned refusal of the request for public information \"Petiție\" no. 1234 of 2 March 2026 ends tomorrow, on 9 March 2026",
					"Law 544/2001 art. 7(2)", d.Link},
				[]string{"reasoned refusal", "9 March 2026", d.Link},
				"The term for a reasoned refusal of the request \"Petiție\" no. 1234 of 2 March 2026 ends tomorrow (9 March 2026)."},
		} {
			c, err := tpl.Render("request-deadline-approaching", tt.locale, d)
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject != tt.subject {
				t.Errorf("%s: subject %q, want %q", tt.locale, c.Subject, tt.subject)
			}
			for _, want := range tt.text {
				if !strings.Contains(c.Text, want) {
					t.Errorf("%s: text does not contain %q:\n%s", tt.locale, want, c.Text)
				}
			}
			for _, want := range tt.html {
				if !strings.Contains(c.HTML, want) {
					t.Errorf("%s: HTML does not contain %q:\n%s", tt.locale, want, c.HTML)
				}
			}
			if c.Notice != tt.notice {
				t.Errorf("%s: notice %q, want %q", tt.locale, c.Notice, tt.notice)
			}
			// Not the answer's wording.
			for _, answer := range []string{"Termenul legal de răspuns", "nu este încă soluționată", "deadline for the answer", "not answered yet"} {
				if strings.Contains(c.Text, answer) || strings.Contains(c.HTML, answer) {
					t.Errorf("%s: the refusal reminder says %q:\n%s", tt.locale, answer, c.Text)
				}
			}
		}
	})
	t.Run("no deadline, no sentence about it", func(t *testing.T) {
		d := SampleData()
		d.Deadline = nil
		c, err := tpl.Render("request-registered", Romanian, d)
		if err != nil || strings.Contains(c.Text, "Termenul") {
			t.Fatalf("text %q, %v", c.Text, err)
		}
	})
}

// An institution's own template is checked part by part before it is
// saved: syntax, fields that do not exist, definitions and calls that could
// replace the layout, and runaway output are each refused on their part.
func TestCheckOverride(t *testing.T) {
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	good := Parts{Subject: "Cererea nr. {{.Number}} a fost înregistrată", Text: "Stimate {{.Name}}, termen {{date .Deadline}}.",
		HTML: "<p>Stimate {{.Name}}</p>", SMS: "Nr. {{.Number}}: {{.Link}}", Notice: "Nr. {{.Number}}"}
	with := func(edit func(p *Parts)) Parts {
		p := good
		edit(&p)
		return p
	}
	tests := []struct {
		name  string
		parts Parts
		want  []string // the faulty parts
	}{
		{"good", good, nil},
		{"text only", with(func(p *Parts) { p.HTML, p.SMS, p.Notice = "", "", "" }), nil},
		{"no subject", with(func(p *Parts) { p.Subject = " " }), []string{PartSubject}},
		{"no text", with(func(p *Parts) { p.Text = "" }), []string{PartText}},
		{"syntax", with(func(p *Parts) { p.Text = "{{if .Name}}unclosed" }), []string{PartText}},
		{"unknown field", with(func(p *Parts) { p.Subject = "{{.Nume}}"; p.SMS = "{{.Telefon}}" }), []string{PartSubject, PartSMS}},
		{"unknown function", with(func(p *Parts) { p.Notice = "{{exec .Name}}" }), []string{PartNotice}},
		{"a definition", with(func(p *Parts) { p.Text = `{{define "subject"}}x{{end}}text` }), []string{PartText}},
		{"a template call", with(func(p *Parts) { p.Text = `{{template "layout.txt" .}}` }), []string{PartText}},
		{"a call in a branch", with(func(p *Parts) { p.HTML = `{{if .Name}}{{template "content" .}}{{end}}` }), []string{PartHTML}},
		{"runaway output", with(func(p *Parts) { p.Text = "{{range 100000000}}bla bla bla{{end}}" }), []string{PartText}},
		{"bad html", with(func(p *Parts) { p.HTML = `<a href="{{.Link}}>x</a>` }), []string{PartHTML}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range tpl.Check(Romanian, tt.parts) {
				got = append(got, e.Part)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("faulty parts %v, want %v (%v)", got, tt.want, tpl.Check(Romanian, tt.parts))
			}
		})
	}
	t.Run("a good one renders inside the layout", func(t *testing.T) {
		s, err := tpl.Parse(English, good)
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Render(SampleData())
		if err != nil {
			t.Fatal(err)
		}
		if c.Subject != "Cererea nr. 1234 a fost înregistrată" || !strings.Contains(c.Text, "termen 1 April 2026.") ||
			!strings.Contains(c.Text, "Please do not reply") || !strings.Contains(c.HTML, `<html lang="en">`) ||
			c.SMS != "Nr. 1234: "+SampleData().Link || !s.HasSMS() {
			t.Fatalf("rendered %+v", c)
		}
	})
}

func TestRenderUnknown(t *testing.T) {
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Render("no-such-mail", Romanian, Data{}); err == nil {
		t.Fatal("rendering a template that does not exist succeeded")
	}
	c, err := tpl.Render("password-reset", "fr", Data{Name: "Ana", Link: "https://ghiseu.test/x", ExpiresAt: time.Now()})
	if err != nil || !strings.Contains(c.Text, "Bună ziua") {
		t.Fatalf("a locale without templates: %v, text %q; want the Romanian mail", err, c.Text)
	}
}

func TestFormatDateTime(t *testing.T) {
	zone, err := time.LoadLocation(TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at     time.Time
		locale string
		want   string
	}{
		// Summer time (EEST, UTC+3), a one-digit day and a leading-zero hour.
		{time.Date(2026, time.July, 3, 6, 7, 0, 0, time.UTC), Romanian, "3 iulie 2026, ora 09:07"},
		{time.Date(2026, time.July, 3, 6, 7, 0, 0, time.UTC), English, "3 July 2026, 09:07"},
		// New Year in Bucharest while it is still the old year in UTC.
		{time.Date(2026, time.December, 31, 22, 30, 0, 0, time.UTC), Romanian, "1 ianuarie 2027, ora 00:30"},
	}
	for _, tt := range tests {
		if got := formatDateTime(tt.at, tt.locale, zone); got != tt.want {
			t.Errorf("formatDateTime(%s, %s) = %q, want %q", tt.at, tt.locale, got, tt.want)
		}
	}
}

func TestTLSModeDecode(t *testing.T) {
	var m TLSMode
	for _, ok := range []string{"none", "starttls", "tls"} {
		if err := m.Decode(ok); err != nil || string(m) != ok {
			t.Errorf("Decode(%q) = %v, mode %q", ok, err, m)
		}
	}
	if err := m.Decode("ssl"); err == nil {
		t.Error(`Decode("ssl") succeeded`)
	}
}
