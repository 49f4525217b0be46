package mail

import (
	"strings"
	"testing"
	"time"
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

// TestTemplatesComplete checks every kind of mail in both locales: every
// template renders, and Romanian text uses ș and ț with a comma below, not the
// cedilla look-alikes ş and ţ that older keyboards produce.
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
		for _, locale := range []string{Romanian, English} {
			c, err := tpl.Render(name, locale, Data{Name: "Ana", Link: "https://ghiseu.test/x", ExpiresAt: time.Now()})
			if err != nil {
				t.Fatalf("%s/%s: %v", name, locale, err)
			}
			if c.Subject == "" || c.Text == "" || c.HTML == "" {
				t.Errorf("%s/%s: empty part: %+v", name, locale, c)
			}
			if strings.ContainsAny(c.Subject+c.Text+c.HTML, "şţŞŢ") {
				t.Errorf("%s/%s: cedilla ş or ţ instead of comma-below ș or ț", name, locale)
			}
		}
	}
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
