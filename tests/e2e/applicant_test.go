package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/infra/seed"
	"github.com/ghiseu/ghiseu/shared/nationalid"
)

// A first-time citizen who was sent to sign up from a service's form gets
// a verification link that brings them back to it (and only to a page of
// this site); the department handling their request sees who applied and
// how to reach them, the CNP masked and the read audited; the citizen sees
// the staff member who acted by name and department, and nothing else of
// them.
func TestApplicantSeenByStaffAndStaffSignTheirChanges(t *testing.T) {
	p, gw, as := requestsPlatform(t, nil)
	mp := newMailpit(t)
	lugoj := seed.InstitutionID(seed.LugojCIF)
	urbanism := seed.RequestTypeID(seed.LugojCIF, "certificat-urbanism")
	email, password, cnp := uniqueEmail("ioana"), "o parolă lungă și bună", newCNP(t)
	form := "/servicii/" + lugoj.String() + "/" + urbanism.String()
	citizen := newBrowser(t, gw)

	t.Run("a return path that leaves the site is refused by name", func(t *testing.T) {
		for _, next := range []string{"//evil.example/x", `/\evil.example`, "https://evil.example/", "servicii", "/a\nb"} {
			r := citizen.do(http.MethodPost, "/api/auth/signup", map[string]string{"kind": "person", "email": uniqueEmail("x"),
				"password": password, "displayName": "Cineva", "cnp": newCNP(t), "next": next}).want(t, http.StatusUnprocessableEntity)
			if !strings.Contains(string(r.body), `"field":"next"`) {
				t.Errorf("next %q: %s, want an error naming next", next, r.body)
			}
		}
	})

	citizen.do(http.MethodPost, "/api/auth/signup", map[string]string{"kind": "person", "email": email, "password": password,
		"displayName": "Ioana Mureșan", "cnp": cnp, "phone": "0722 123 456", "next": form}).want(t, http.StatusAccepted)
	token := mp.waitForLink(email, 1)
	link := linkIn(t, mp.messagesTo(email)[0].Text)
	if u, err := url.Parse(link); err != nil || u.Path != "/verify-email" || u.Query().Get("next") != form {
		t.Fatalf("verification link %q: want /verify-email with next=%s", link, form)
	}
	citizen.do(http.MethodPost, "/api/auth/verify-email", map[string]string{"token": token}).want(t, http.StatusNoContent)
	citizen.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": password}).want(t, http.StatusOK)

	r := citizen.submit(lugoj, urbanism, urbanismForm(), []declared{
		{kind: "plan-situatie", name: "plan.pdf", body: textPDF(t, "Plan de situație")},
		{kind: "extras-cf", name: "cf.pdf", body: textPDF(t, "Extras de carte funciară")}}).want(t, http.StatusCreated)
	var v requestView
	r.json(t, &v)
	id := v.ID
	base := "/api/institutions/" + lugoj.String() + "/requests/" + id.String()
	citizen.waitRegistered(lugoj, id)
	head, clerk := as("sef.urbanism@primarialugoj.ro"), as("urbanism@primarialugoj.ro")

	type applicantView struct {
		Applicant *struct {
			Kind, Name, CNPMasked, CUI, Email, Phone, Address string
		} `json:"applicant"`
		History []struct {
			Action          string  `json:"action"`
			ActorID         *string `json:"actorId"`
			ActorKind       string  `json:"actorKind"`
			ActorName       string  `json:"actorName"`
			ActorDepartment string  `json:"actorDepartment"`
		} `json:"history"`
	}

	t.Run("staff see who applied, the CNP masked, and the read is audited", func(t *testing.T) {
		got := clerk.do(http.MethodGet, base, nil).want(t, http.StatusOK)
		var sv applicantView
		got.json(t, &sv)
		a := sv.Applicant
		if a == nil || a.Kind != "person" || a.Name != "Ioana Mureșan" || a.Email != email || a.Phone != "0722 123 456" ||
			a.CNPMasked != nationalid.MaskCNP(cnp) || a.CUI != "" {
			t.Fatalf("applicant %+v, want Ioana Mureșan, %s, 0722 123 456, CNP %s", a, email, nationalid.MaskCNP(cnp))
		}
		if strings.Contains(string(got.body), cnp) {
			t.Errorf("the staff view holds the CNP in clear")
		}
		var reads int
		platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'request.read' AND object_id = $1 AND actor_id = $2`,
				id.String(), seed.AccountID("urbanism@primarialugoj.ro")).Scan(&reads)
		})
		if reads != 1 {
			t.Errorf("audited reads by the clerk: %d, want 1", reads)
		}
		var own map[string]json.RawMessage
		citizen.do(http.MethodGet, base, nil).want(t, http.StatusOK).json(t, &own)
		if _, ok := own["applicant"]; ok {
			t.Errorf("the applicant's own view carries the applicant block")
		}
	})

	head.do(http.MethodPost, base+"/assignment", map[string]string{"assigneeId": seed.AccountID("urbanism@primarialugoj.ro").String()}).
		want(t, http.StatusOK)
	clerk.do(http.MethodPost, base+"/start", map[string]string{}).want(t, http.StatusOK)
	clerk.do(http.MethodPost, base+"/info-request", map[string]string{"question": "Vă rugăm să trimiteți ridicarea topografică."}).
		want(t, http.StatusOK)

	var clerkName, department string
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT a.display_name, d.name FROM account a, request r JOIN department d
				ON d.institution_id = r.institution_id AND d.id = r.department_id
			WHERE a.id = $1 AND r.id = $2`, seed.AccountID("urbanism@primarialugoj.ro"), id).Scan(&clerkName, &department)
	})

	t.Run("the citizen sees who asked, by name and department, and no more", func(t *testing.T) {
		var cv applicantView
		body := citizen.do(http.MethodGet, base, nil).want(t, http.StatusOK)
		body.json(t, &cv)
		last := cv.History[len(cv.History)-1]
		if last.Action != "ask_info" || last.ActorName != clerkName || last.ActorDepartment != department || last.ActorID != nil {
			t.Fatalf("the citizen's last history row %+v, want ask_info signed %s, %s, with no account id", last, clerkName, department)
		}
		if strings.Contains(string(body.body), seed.AccountID("urbanism@primarialugoj.ro").String()) {
			t.Errorf("the citizen's view names the clerk's account")
		}
		for _, h := range cv.History {
			if h.ActorKind != "staff" && h.ActorName != "" {
				t.Errorf("%s by %s is signed %q: only staff sign", h.Action, h.ActorKind, h.ActorName)
			}
		}
	})

	t.Run("staff see every change signed, the internal ones too", func(t *testing.T) {
		var sv applicantView
		head.do(http.MethodGet, base, nil).want(t, http.StatusOK).json(t, &sv)
		signed := map[string]string{}
		for _, h := range sv.History {
			if h.ActorKind == "staff" {
				signed[h.Action] = h.ActorName + " / " + h.ActorDepartment
			}
		}
		var headName string
		platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT display_name FROM account WHERE id = $1`,
				seed.AccountID("sef.urbanism@primarialugoj.ro")).Scan(&headName)
		})
		want := map[string]string{"assign": headName + " / " + department, "start": clerkName + " / " + department,
			"ask_info": clerkName + " / " + department}
		for action, by := range want {
			if signed[action] != by {
				t.Errorf("%s signed %q, want %q", action, signed[action], by)
			}
		}
	})
}

// linkIn is the first link of the platform in a mail's text.
func linkIn(t *testing.T, text string) string {
	t.Helper()
	for _, f := range strings.Fields(text) {
		if strings.HasPrefix(f, "http://") || strings.HasPrefix(f, "https://") {
			return strings.TrimRight(f, ".,;)")
		}
	}
	t.Fatalf("no link in %q", text)
	return ""
}
