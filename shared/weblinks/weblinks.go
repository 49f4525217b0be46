// Package weblinks builds the addresses of the web app's pages that the
// platform sends people: in mails, text messages and in-app notifications,
// on receipts, in one-time account links. The web app routes its pages
// from one table, web/src/routes.json; the patterns here are that table's
// entries under the same names, and this package's test reads the file and
// fails when they differ, so a link the platform sends always lands on the
// page it means.
package weblinks

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Page names a page of the web app: its key in web/src/routes.json.
type Page string

// The pages the platform links to.
const (
	// VerifyEmail confirms an account's address (?token=).
	VerifyEmail Page = "verifyEmail"
	// ResetPassword sets a new password (?token=), an invited staff
	// member's first one too.
	ResetPassword Page = "resetPassword"
	// StatusLookupAt is the public status check of an institution's
	// requests, filled in (?nr=&an=&cod=) from a receipt.
	StatusLookupAt Page = "statusLookupAt"
	// Request is one of the citizen's requests, as the applicant sees it.
	Request Page = "request"
	// WorkRequest is a request as the institution's staff handle it.
	WorkRequest Page = "workRequest"
	// Backups is the back office's page of the backups' status.
	Backups Page = "backups"
)

// patterns are the pages' routes as web/src/routes.json writes them:
// segments, of which ":name" ones are parameters.
var patterns = map[Page]string{
	VerifyEmail:    "/verify-email",
	ResetPassword:  "/reset-password",
	StatusLookupAt: "/verificare/:institution",
	Request:        "/cereri/:institution/:id",
	WorkRequest:    "/birou/cereri/:id",
	Backups:        "/birou/copii-de-siguranta",
}

// Patterns returns the route of every page this package links to, by name.
func Patterns() map[Page]string {
	out := make(map[Page]string, len(patterns))
	for p, r := range patterns {
		out[p] = r
	}
	return out
}

// Site is the web app at its public address.
type Site struct {
	base string
}

// New returns the web app at publicURL ("https://ghiseu.lugoj.ro").
func New(publicURL string) Site {
	return Site{base: strings.TrimRight(publicURL, "/")}
}

// URL is the absolute address of page with its parameters (path-escaped)
// and query. A parameter the route names and params lacks is a programming
// error: it panics rather than send a link to nowhere.
func (s Site) URL(page Page, params map[string]string, query url.Values) string {
	pattern, ok := patterns[page]
	if !ok {
		panic(fmt.Sprintf("weblinks: no page %q", page))
	}
	segments := strings.Split(pattern, "/")
	for i, seg := range segments {
		name, isParam := strings.CutPrefix(seg, ":")
		if !isParam {
			continue
		}
		v, ok := params[name]
		if !ok || v == "" {
			panic(fmt.Sprintf("weblinks: page %s: no value for :%s", page, name))
		}
		segments[i] = url.PathEscape(v)
	}
	u := s.base + strings.Join(segments, "/")
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// VerifyEmail is the one-time link that confirms an account's address;
// next, when not empty, is the path of this site the page sends the person
// back to afterwards.
func (s Site) VerifyEmail(token, next string) string {
	return s.URL(VerifyEmail, nil, tokenQuery(token, next))
}

// ResetPassword is the one-time link that sets an account's password, with
// the same optional next as VerifyEmail.
func (s Site) ResetPassword(token, next string) string {
	return s.URL(ResetPassword, nil, tokenQuery(token, next))
}

func tokenQuery(token, next string) url.Values {
	q := url.Values{"token": {token}}
	if next != "" {
		q.Set("next", next)
	}
	return q
}

// StatusLookup is where anyone holding a registration receipt checks it:
// the institution's status lookup, filled in with the entry's number, year
// and verification code. Receipts print it, whoever renders them.
func (s Site) StatusLookup(institution uuid.UUID, number int64, year int, code string) string {
	return s.URL(StatusLookupAt, map[string]string{"institution": institution.String()},
		url.Values{"nr": {strconv.FormatInt(number, 10)}, "an": {strconv.Itoa(year)}, "cod": {code}})
}

// Request is the applicant's page of a request.
func (s Site) Request(institution, request uuid.UUID) string {
	return s.URL(Request, map[string]string{"institution": institution.String(), "id": request.String()}, nil)
}

// WorkRequest is the staff's page of a request.
func (s Site) WorkRequest(request uuid.UUID) string {
	return s.URL(WorkRequest, map[string]string{"id": request.String()}, nil)
}

// Backups is the back office's page of the backups' status.
func (s Site) Backups() string {
	return s.URL(Backups, nil, nil)
}

// Match names the page of the web app that link (absolute, on this site)
// opens, as the app's router would pick it among the pages this package
// knows: segments equal, a parameter taking any one non-empty segment. It
// reports false for a link elsewhere or to no known page.
func (s Site) Match(link string) (Page, bool) {
	rest, ok := strings.CutPrefix(link, s.base)
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/") && !strings.HasPrefix(rest, "?")) {
		return "", false
	}
	u, err := url.Parse(rest)
	if err != nil {
		return "", false
	}
	got := strings.Split(strings.Trim(u.Path, "/"), "/")
	for page, pattern := range patterns {
		want := strings.Split(strings.Trim(pattern, "/"), "/")
		if len(want) != len(got) {
			continue
		}
		match := true
		for i := range want {
			if strings.HasPrefix(want[i], ":") {
				match = match && got[i] != ""
			} else {
				match = match && want[i] == got[i]
			}
		}
		if match {
			return page, true
		}
	}
	return "", false
}
