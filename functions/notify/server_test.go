package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/httpapi/openapitest"
	"github.com/ghiseu/ghiseu/shared/mail/mailtest"
	"github.com/ghiseu/ghiseu/shared/requests"
)

// api is notify's HTTP side over a world, with a session per caller.
type api struct {
	t      *testing.T
	w      *world
	n      *notifier
	url    string
	tokens map[string]string
}

func newAPI(t *testing.T, w *world, n *notifier) *api {
	t.Helper()
	router, err := access.NewRouter(&access.Authenticator{Pool: w.d.App}, n.log)
	if err != nil {
		t.Fatal(err)
	}
	n.routes(router)
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	return &api{t: t, w: w, n: n, url: srv.URL, tokens: map[string]string{}}
}

// session opens an API session for account under the name who.
func (a *api) session(who string, account uuid.UUID) {
	a.t.Helper()
	ctx := context.Background()
	err := db.PlatformTx(ctx, a.w.d.App, func(tx pgx.Tx) (err error) {
		a.tokens[who], _, err = access.OpenSession(ctx, tx, access.NewSession{Account: account, Kind: "api"})
		return err
	})
	if err != nil {
		a.t.Fatal(err)
	}
}

// staff adds a staff account of institution with role, and its session.
func (a *api) staff(who string, institution uuid.UUID, role string) uuid.UUID {
	a.t.Helper()
	id := uuid.New()
	// Staff have set up the second factor the platform asks of administrators.
	a.w.exec(`INSERT INTO account (id, kind, institution_id, email, email_verified_at, display_name, totp_enabled_at) VALUES ($1, 'staff', $2, $3, now(), $4, now())`,
		id, institution, strings.ReplaceAll(who, " ", ".")+"."+id.String()[:8]+"@example.ro", who)
	a.w.exec(`INSERT INTO role_assignment (institution_id, id, account_id, role_code, valid_from, reason) VALUES ($1, $2, $3, $4, $5::date, 'test')`,
		institution, uuid.New(), id, role, dbtest.Day(-1))
	a.session(who, id)
	return id
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
}

// do calls notify as who ("" for anonymous), checking the answer against
// the OpenAPI document. headers are name, value pairs.
func (a *api) do(who, method, path string, body any, headers ...string) response {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.url+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := a.tokens[who]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	openapitest.Check(a.t, req, resp)
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		a.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (a *api) want(r response, status int) response {
	a.t.Helper()
	if r.status != status {
		a.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

type notificationList struct {
	Items []struct {
		ID     uuid.UUID `json:"id"`
		Kind   string    `json:"kind"`
		Title  string    `json:"title"`
		Body   string    `json:"body"`
		Link   string    `json:"link"`
		ReadAt *string   `json:"readAt"`
	} `json:"items"`
	Next   string `json:"next"`
	Unread int    `json:"unread"`
}

// A signed-in account lists its own in-app notifications, newest first, a
// page at a time, with the unread count, and marks them read; nobody else
// sees them.
func TestMyNotifications(t *testing.T) {
	mp := mailtest.New(t)
	w := newWorld(t)
	n := w.notifier(smtpTo(t, mp.SMTPAddr), testOptions())
	a := newAPI(t, w, n)
	ana := w.account(mailtest.UniqueAddress("ana"), "Ana Popescu", "ro", "", "active")
	a.session("ana", ana)
	a.session("ion", w.account(mailtest.UniqueAddress("ion"), "Ion Pop", "ro", "", "active"))
	a.session("clerk", w.clerk)

	r, c := w.registeredRequest(ana)
	events := []requests.Change{c}
	r, c = w.act(r.ID, requests.Action{Kind: requests.ActAssign, Assignee: w.clerk})
	assigned := w.requestEvent(r, c)
	r, c = w.act(r.ID, requests.Action{Kind: requests.ActAskInfo, Note: "Trimiteți planul de situație."})
	events = append(events, c)
	r, _ = w.act(r.ID, requests.Action{Kind: requests.ActProvideInfo, Note: "Atașat.", By: requests.Actor{Account: ana, Kind: "citizen"}})
	r, c = w.act(r.ID, requests.Action{Kind: requests.ActExtend, Days: 10, Note: "Verificări pe teren."})
	events = append(events, c)
	for _, c := range events {
		if s := n.post(w.requestEvent(r, c)); s != 202 {
			t.Fatalf("status %d", s)
		}
	}
	if s := n.post(assigned); s != 202 {
		t.Fatalf("status %d", s)
	}

	var first notificationList
	a.want(a.do("ana", "GET", "/api/me/notifications?limit=2", nil), 200).json(t, &first)
	if len(first.Items) != 2 || first.Next == "" || first.Unread != 3 ||
		first.Items[0].Kind != "request.extended" || first.Items[1].Kind != "request.info.requested" {
		t.Fatalf("first page %+v: want the two newest, a next cursor, 3 unread", first)
	}
	var second notificationList
	a.want(a.do("ana", "GET", "/api/me/notifications?limit=2&after="+first.Next, nil), 200).json(t, &second)
	if len(second.Items) != 1 || second.Next != "" || second.Items[0].Kind != "request.registered" ||
		!strings.Contains(second.Items[0].Title, "înregistrată") || second.Items[0].Link != publicURL+"/cereri/"+w.inst.String()+"/"+r.ID.String() {
		t.Fatalf("second page %+v: want the registration, last", second)
	}

	t.Run("marking read", func(t *testing.T) {
		id := first.Items[0].ID.String()
		a.want(a.do("ion", "POST", "/api/me/notifications/"+id+"/read", nil), 404)
		a.want(a.do("clerk", "POST", "/api/me/notifications/"+id+"/read", nil), 404)
		for range 2 {
			a.want(a.do("ana", "POST", "/api/me/notifications/"+id+"/read", nil), 204)
		}
		var after notificationList
		a.want(a.do("ana", "GET", "/api/me/notifications", nil), 200).json(t, &after)
		if after.Unread != 2 || after.Items[0].ReadAt == nil || after.Items[1].ReadAt != nil {
			t.Fatalf("after marking one read: %+v", after)
		}
		a.want(a.do("ana", "POST", "/api/me/notifications/not-an-id/read", nil), 404)
		a.want(a.do("", "POST", "/api/me/notifications/"+id+"/read", nil), 401)
	})

	t.Run("nobody else sees them", func(t *testing.T) {
		var ion, clerk notificationList
		a.want(a.do("ion", "GET", "/api/me/notifications", nil), 200).json(t, &ion)
		a.want(a.do("clerk", "GET", "/api/me/notifications", nil), 200).json(t, &clerk)
		if len(ion.Items) != 0 || ion.Unread != 0 {
			t.Errorf("another citizen sees %+v", ion)
		}
		// The clerk's session acts for the institution: still only its own.
		if len(clerk.Items) != 1 || clerk.Items[0].Kind != "request.assigned" ||
			!strings.HasSuffix(clerk.Items[0].Link, "/birou/cereri/"+r.ID.String()) {
			t.Errorf("the clerk sees %+v, want only its assignment", clerk)
		}
		a.want(a.do("", "GET", "/api/me/notifications", nil), 401)
	})

	t.Run("bad paging is refused per field", func(t *testing.T) {
		for _, q := range []string{"limit=0", "limit=101", "limit=x", "after=bm90LWEtY3Vyc29y"} {
			a.want(a.do("ana", "GET", "/api/me/notifications?"+q, nil), 422)
		}
	})
}

type templateBody struct {
	Name      string  `json:"name"`
	Locale    string  `json:"locale"`
	Version   int     `json:"version"`
	BuiltIn   bool    `json:"builtIn"`
	CreatedBy *string `json:"createdBy"`
	Subject   string  `json:"subject"`
	Text      string  `json:"text"`
	HTML      string  `json:"html"`
	SMS       string  `json:"sms"`
	Notice    string  `json:"notice"`
}

// An institution's administrator reads a template (the built-in one at
// first), saves checked versions of it with If-Match, and reads any
// version back; others may not.
func TestMessageTemplatesAPI(t *testing.T) {
	mp := mailtest.New(t)
	w := newWorld(t)
	n := w.notifier(smtpTo(t, mp.SMTPAddr), testOptions())
	a := newAPI(t, w, n)
	admin := a.staff("admin", w.inst, "administrator")
	a.staff("head", w.inst, "head_of_department")
	other := uuid.New()
	w.exec(`INSERT INTO institution (id, cif, name) VALUES ($1, '26258845', 'DAS Lugoj')`, other)
	a.staff("other admin", other, "administrator")
	base := "/api/institutions/" + w.inst.String() + "/message-templates"

	var list struct {
		Items []struct {
			Name    string `json:"name"`
			Locale  string `json:"locale"`
			Version int    `json:"version"`
			BuiltIn bool   `json:"builtIn"`
		} `json:"items"`
	}
	a.want(a.do("admin", "GET", base, nil), 200).json(t, &list)
	// The platform's notices to its operators are not the institutions'
	// to rewrite.
	if len(list.Items) != 2*(len(n.templates.Names())-len(n.operatorTemplates)) || len(n.operatorTemplates) != 3 {
		t.Fatalf("%d templates listed, want every template but the operators' %v in both locales", len(list.Items), n.operatorTemplates)
	}
	for _, it := range list.Items {
		if n.operatorTemplates[it.Name] {
			t.Errorf("the operators' template %s is listed", it.Name)
		}
	}
	a.want(a.do("admin", "GET", base+"/backup-failed/ro", nil), 404)

	r := a.want(a.do("admin", "GET", base+"/request-registered/ro", nil), 200)
	var builtIn templateBody
	r.json(t, &builtIn)
	if r.header.Get("ETag") != `"v0"` || !builtIn.BuiltIn || builtIn.Version != 0 || !strings.Contains(builtIn.Subject, "{{.Number}}") ||
		!strings.Contains(builtIn.Text, "{{.Link}}") || builtIn.HTML == "" || builtIn.SMS == "" {
		t.Fatalf("built-in template %+v (ETag %s)", builtIn, r.header.Get("ETag"))
	}

	edit := map[string]string{"subject": "Lugoj: cererea nr. {{.Number}}", "text": builtIn.Text, "html": "", "sms": builtIn.SMS, "notice": builtIn.Notice}
	t.Run("If-Match is required", func(t *testing.T) {
		a.want(a.do("admin", "PUT", base+"/request-registered/ro", edit), 428)
	})
	t.Run("a broken template is refused per part", func(t *testing.T) {
		bad := map[string]string{"subject": "{{.Numar}}", "text": "{{if}}", "html": "<p>{{.Name}", "sms": "", "notice": ""}
		var prob struct {
			Errors []struct{ Field, Code, Message, MessageEn string } `json:"errors"`
		}
		a.want(a.do("admin", "PUT", base+"/request-registered/ro", bad, "If-Match", `"v0"`), 422).json(t, &prob)
		fields := map[string]string{}
		for _, e := range prob.Errors {
			fields[e.Field] = e.Code
		}
		if fields["text"] != "text.invalid" || fields["html"] != "html.invalid" || len(fields) != 2 {
			t.Fatalf("errors %+v, want text and html (syntax is checked before the subject is rendered)", prob.Errors)
		}
		bad["text"], bad["html"] = "ok", ""
		a.want(a.do("admin", "PUT", base+"/request-registered/ro", bad, "If-Match", `"v0"`), 422).json(t, &prob)
		if len(prob.Errors) != 1 || prob.Errors[0].Field != "subject" || prob.Errors[0].Message == "" || prob.Errors[0].MessageEn == "" {
			t.Fatalf("errors %+v, want the subject's unknown field", prob.Errors)
		}
		bad["subject"] = strings.Repeat("x", 1001)
		a.want(a.do("admin", "PUT", base+"/request-registered/ro", bad, "If-Match", `"v0"`), 422)
	})

	r = a.want(a.do("admin", "PUT", base+"/request-registered/ro", edit, "If-Match", `"v0"`), 200)
	var v1 templateBody
	r.json(t, &v1)
	if r.header.Get("ETag") != `"v1"` || v1.Version != 1 || v1.BuiltIn || v1.Subject != edit["subject"] || v1.CreatedBy == nil || *v1.CreatedBy != admin.String() {
		t.Fatalf("saved %+v (ETag %s)", v1, r.header.Get("ETag"))
	}
	t.Run("a stale edit is refused", func(t *testing.T) {
		a.want(a.do("admin", "PUT", base+"/request-registered/ro", edit, "If-Match", `"v0"`), 412)
	})
	edit["subject"] = "Lugoj (2): cererea nr. {{.Number}}"
	a.want(a.do("admin", "PUT", base+"/request-registered/ro", edit, "If-Match", `"v1"`), 200)

	var cur, old templateBody
	a.want(a.do("admin", "GET", base+"/request-registered/ro", nil), 200).json(t, &cur)
	a.want(a.do("admin", "GET", base+"/request-registered/ro?version=1", nil), 200).json(t, &old)
	if cur.Version != 2 || old.Version != 1 || old.Subject != "Lugoj: cererea nr. {{.Number}}" {
		t.Fatalf("current %+v, version 1 %+v", cur, old)
	}
	a.want(a.do("admin", "GET", base+"/request-registered/ro?version=9", nil), 404)
	a.want(a.do("admin", "GET", base+"/request-registered/ro?version=0", nil), 422)
	a.want(a.do("admin", "GET", base+"/no-such-template/ro", nil), 404)
	a.want(a.do("admin", "GET", base+"/request-registered/fr", nil), 404)
	a.want(a.do("admin", "GET", base+"/request-registered/en", nil), 200) // still built in

	a.want(a.do("admin", "GET", base, nil), 200).json(t, &list)
	for _, it := range list.Items {
		if it.Name == "request-registered" && it.Locale == "ro" && (it.Version != 2 || it.BuiltIn) {
			t.Errorf("listed %+v, want version 2", it)
		}
	}

	t.Run("only the institution's holders of notifications.manage", func(t *testing.T) {
		a.want(a.do("head", "GET", base, nil), 403)
		a.want(a.do("other admin", "GET", base+"/request-registered/ro", nil), 403)
		a.want(a.do("other admin", "PUT", base+"/request-registered/ro", edit, "If-Match", `"v2"`), 403)
		a.want(a.do("", "GET", base, nil), 401)
	})

	var audited int
	if err := w.d.Owner.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'message_template.save' AND actor_id = $1`,
		admin).Scan(&audited); err != nil || audited != 2 {
		t.Errorf("audited saves %d (%v), want 2", audited, err)
	}
}

// The institution sees its messages that failed for good, with the reason
// and never the address, and those still waiting.
func TestFailedMessagesAPI(t *testing.T) {
	w := newWorld(t)
	// The mail server is down; one address could not be mailed anyway.
	n := w.notifier(smtpTo(t, closedAddr(t)), testOptions())
	a := newAPI(t, w, n)
	a.staff("admin", w.inst, "administrator")
	a.staff("clerk", w.inst, "clerk")
	bad := w.account("nu este o adresă", "Ion", "ro", "", "active")
	r, c := w.registeredRequest(bad)
	failed := w.requestEvent(r, c)
	n.post(failed)
	down := n
	waiting := mailtest.UniqueAddress("waiting")
	r2, c2 := w.registeredRequest(w.account(waiting, "Ana", "ro", "", "active"))
	queued := w.requestEvent(r2, c2)
	down.post(queued)

	base := "/api/institutions/" + w.inst.String() + "/messages"
	var list struct {
		Items []struct {
			EventID         string  `json:"eventId"`
			Status          string  `json:"status"`
			Attempts        int     `json:"attempts"`
			LastError       *string `json:"lastError"`
			Template        string  `json:"template"`
			TemplateVersion int     `json:"templateVersion"`
			NextAttemptAt   *string `json:"nextAttemptAt"`
		} `json:"items"`
	}
	resp := a.want(a.do("admin", "GET", base, nil), 200)
	resp.json(t, &list)
	if len(list.Items) != 1 || list.Items[0].EventID != failed.ID() || list.Items[0].Status != "failed" ||
		list.Items[0].Attempts != 1 || list.Items[0].LastError == nil || !strings.Contains(*list.Items[0].LastError, "not valid") ||
		list.Items[0].Template != "request-registered" {
		t.Fatalf("failed messages %s", resp.body)
	}
	a.want(a.do("admin", "GET", base+"?status=queued", nil), 200).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].EventID != queued.ID() || list.Items[0].NextAttemptAt == nil || list.Items[0].LastError == nil {
		t.Fatalf("queued messages %+v", list.Items)
	}
	for _, r := range []response{resp, a.do("admin", "GET", base+"?status=queued", nil)} {
		if strings.Contains(string(r.body), "@") || strings.Contains(string(r.body), "adresă") {
			t.Errorf("the list shows an address: %s", r.body)
		}
	}
	a.want(a.do("admin", "GET", base+"?status=sent", nil), 422)
	a.want(a.do("clerk", "GET", base, nil), 403)
}
