package weblinks_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/weblinks"
)

// routesFile is the web app's table of routes, which its router is built
// from.
var routesFile = filepath.Join("..", "..", "web", "src", "routes.json")

// Every page the platform links to is a route of the web app, under the
// same name, written the same way: a route renamed or moved on either side
// fails here.
func TestPatternsAreTheWebAppsRoutes(t *testing.T) {
	raw, err := os.ReadFile(routesFile)
	if err != nil {
		t.Fatal(err)
	}
	var routes map[string]string
	if err := json.Unmarshal(raw, &routes); err != nil {
		t.Fatalf("%s: %v", routesFile, err)
	}
	if len(weblinks.Patterns()) == 0 {
		t.Fatal("no patterns")
	}
	for page, pattern := range weblinks.Patterns() {
		got, ok := routes[string(page)]
		switch {
		case !ok:
			t.Errorf("page %s (%s) is not in %s", page, pattern, routesFile)
		case got != pattern:
			t.Errorf("page %s: the web app routes %q, the platform links to %q", page, got, pattern)
		}
	}
}

func TestLinks(t *testing.T) {
	site := weblinks.New("https://ghiseu.lugoj.ro/")
	inst := uuid.MustParse("0190e3c8-0000-7000-8000-000000000001")
	req := uuid.MustParse("0190e3c8-0000-7000-8000-000000000002")
	tests := []struct {
		name string
		got  string
		want string
		page weblinks.Page
	}{
		{"verify email", site.VerifyEmail("abc_DEF-1", ""), "https://ghiseu.lugoj.ro/verify-email?token=abc_DEF-1", weblinks.VerifyEmail},
		{"verify email, then back to a form", site.VerifyEmail("t", "/servicii/a/b?x=1"), "https://ghiseu.lugoj.ro/verify-email?next=%2Fservicii%2Fa%2Fb%3Fx%3D1&token=t", weblinks.VerifyEmail},
		{"reset password", site.ResetPassword("a+b/c", ""), "https://ghiseu.lugoj.ro/reset-password?token=a%2Bb%2Fc", weblinks.ResetPassword},
		{"status lookup", site.StatusLookup(inst, 9, 2026, "7K4Q9XWZAB"),
			"https://ghiseu.lugoj.ro/verificare/" + inst.String() + "?an=2026&cod=7K4Q9XWZAB&nr=9", weblinks.StatusLookupAt},
		{"request", site.Request(inst, req), "https://ghiseu.lugoj.ro/cereri/" + inst.String() + "/" + req.String(), weblinks.Request},
		{"work request", site.WorkRequest(req), "https://ghiseu.lugoj.ro/birou/cereri/" + req.String(), weblinks.WorkRequest},
		{"backups", site.Backups(), "https://ghiseu.lugoj.ro/birou/copii-de-siguranta", weblinks.Backups},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s\nwant %s", tt.got, tt.want)
			}
			if page, ok := site.Match(tt.got); !ok || page != tt.page {
				t.Errorf("Match(%s) = %s, %v; want %s", tt.got, page, ok, tt.page)
			}
		})
	}
}

func TestMatchRefusesOtherLinks(t *testing.T) {
	site := weblinks.New("https://ghiseu.lugoj.ro")
	for _, link := range []string{
		"https://ghiseu.lugoj.ro/cereri/" + uuid.NewString(), // the old, one-segment request link
		"https://ghiseu.lugoj.ro/birou/cereri/",
		"https://ghiseu.lugoj.ro/nicaieri",
		"https://ghiseu.lugoj.ro.example/verify-email",
		"https://alt.example/verify-email?token=x",
	} {
		if page, ok := site.Match(link); ok {
			t.Errorf("Match(%s) = %s, want none", link, page)
		}
	}
}

func TestMissingParameterPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), ":id") {
			t.Errorf("recovered %v, want a panic naming :id", r)
		}
	}()
	weblinks.New("https://ghiseu.test").URL(weblinks.WorkRequest, nil, nil)
}
