package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/infra/devbroker"
	"github.com/ghiseu/ghiseu/infra/seed"
	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/pii"
	"github.com/ghiseu/ghiseu/shared/poll"
)

// requestsPlatform runs everything a request goes through (auth, the
// registry, submit-request, handle-request, notify) over the demo seed,
// behind a gateway routed by k8s/base as in production. It returns the
// gateway's URL and a function making a client signed in as a demo staff
// account.
func requestsPlatform(t *testing.T, env map[string]string) (*platform, string, func(email string) *apiClient) {
	t.Helper()
	p := startPlatform(t, "", env, "auth", "notify", "request-types", "register-document", "submit-request", "handle-request")
	ctx := context.Background()
	protector, err := pii.New(pii.KeysConfig{Keys: "1:" + testKey(), IndexKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(ctx, p.db.App, protector, "parola demonstrației, lungă"); err != nil {
		t.Fatalf("seed: %v", err)
	}
	gw := startGateway(t, p)
	as := func(email string) *apiClient {
		t.Helper()
		c := &apiClient{t: t, base: gw, http: &http.Client{Timeout: 60 * time.Second}, ip: "198.51.100.20"}
		err := db.PlatformTx(ctx, p.db.App, func(tx pgx.Tx) error {
			var err error
			c.bearer, _, err = access.OpenSession(ctx, tx, access.NewSession{Account: seed.AccountID(email), Kind: "api"})
			return err
		})
		if err != nil {
			t.Fatalf("session of %s: %v", email, err)
		}
		return c
	}
	return p, gw, as
}

// startGateway serves the platform's functions behind the dev gateway,
// routed by the manifests' HTTPRoutes.
func startGateway(t *testing.T, p *platform) string {
	t.Helper()
	m, err := devbroker.Load(filepath.Join(repoRoot, "k8s", "base"))
	if err != nil {
		t.Fatal(err)
	}
	gw, err := devbroker.NewGateway(m.HTTPRoutes, devbroker.GatewayOptions{Resolver: p.resolve, OpenAPI: httpapi.OpenAPI(),
		Functions: p.functions, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	return srv.URL
}

// requestView is what the tests read of a request.
type requestView struct {
	ID           uuid.UUID `json:"id"`
	Status       string    `json:"status"`
	Title        string    `json:"title"`
	Registration *struct {
		EntryID          uuid.UUID `json:"entryId"`
		Number           int64     `json:"number"`
		Year             int       `json:"year"`
		RegisteredAt     time.Time `json:"registeredAt"`
		VerificationCode string    `json:"verificationCode"`
		ReceiptURL       string    `json:"receiptUrl"`
	} `json:"registration"`
	Deadline     *string `json:"deadline"`
	DaysLeft     *int    `json:"daysLeft"`
	ExtendedDays int     `json:"extendedDays"`
	AssigneeID   *string `json:"assigneeId"`
	Answer       *struct {
		Number int64 `json:"number"`
	} `json:"answer"`
	Revision int             `json:"revision"`
	Data     json.RawMessage `json:"data"`
	History  []struct {
		Action  string         `json:"action"`
		Status  string         `json:"status"`
		Note    string         `json:"note"`
		Details map[string]any `json:"details"`
	} `json:"history"`
	Files []struct {
		ID     int64  `json:"id"`
		Kind   string `json:"kind"`
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
		URL    string `json:"url"`
	} `json:"files"`
}

func (v requestView) actions() []string {
	var a []string
	for _, h := range v.History {
		a = append(a, h.Action)
	}
	return a
}

// declared is a file a submission announces, with its bytes.
type declared struct {
	kind, name string
	body       []byte
	size       int64 // declared; len(body) when 0
}

// submit sends a submission with its declared files.
func (c *apiClient) submit(inst uuid.UUID, typeID uuid.UUID, data any, files []declared, headers ...string) response {
	c.t.Helper()
	var decl []map[string]any
	var parts []filePart
	for _, f := range files {
		size := f.size
		if size == 0 {
			size = int64(len(f.body))
		}
		decl = append(decl, map[string]any{"kind": f.kind, "name": f.name, "size": size})
		parts = append(parts, filePart{filename: f.name, body: bytes.NewReader(f.body)})
	}
	body, err := json.Marshal(map[string]any{"typeId": typeID, "data": data, "attachments": decl})
	if err != nil {
		c.t.Fatal(err)
	}
	return c.postMultipart("/api/institutions/"+inst.String()+"/requests", "request", string(body), parts, headers...)
}

// waitRegistered polls a request until the registry has numbered it.
func (c *apiClient) waitRegistered(inst, id uuid.UUID) requestView {
	c.t.Helper()
	var v requestView
	poll.Until(c.t, 60*time.Second, "the request's registration number", func() bool {
		c.do(http.MethodGet, "/api/institutions/"+inst.String()+"/requests/"+id.String(), nil).want(c.t, http.StatusOK).json(c.t, &v)
		return v.Registration != nil
	})
	return v
}

func petitionData(subject string) map[string]any {
	return map[string]any{"name": "Ștefan Țăranu", "address": map[string]any{"street": "Str. Făgetului 12", "locality": "Lugoj", "county": "TM"},
		"subject": subject, "text": "Vă rog să reparați iluminatul public de pe strada noastră, nefuncțional de o lună."}
}

func pngBytes() []byte {
	return append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 2048)...)
}

// A citizen signs up, verifies the address, submits a petition with two
// attachments, and sees its number, date and legal deadline appear, with
// the receipt mailed; the same submit sent three times with one
// Idempotency-Key makes one request.
func TestCitizenSubmitsPetitionAndSeesItRegistered(t *testing.T) {
	p, gw, _ := requestsPlatform(t, nil)
	mp := newMailpit(t)
	lugoj := seed.InstitutionID(seed.LugojCIF)
	petition := seed.RequestTypeID(seed.LugojCIF, "petitie")
	email := uniqueEmail("petent")
	c := signUpVerifiedAt(t, gw, mp, email, "o parolă lungă și bună")

	// The catalogue offers the petition with its form.
	var catalogue []struct {
		ID uuid.UUID `json:"id"`
	}
	r := c.do(http.MethodGet, "/api/institutions/"+lugoj.String()+"/request-types", nil).want(t, http.StatusOK)
	r.json(t, &catalogue)
	if !slices.ContainsFunc(catalogue, func(e struct {
		ID uuid.UUID `json:"id"`
	}) bool {
		return e.ID == petition
	}) {
		t.Fatalf("the catalogue does not offer the petition: %s", r.body)
	}

	scan := textPDF(t, "Fotografii ale stâlpilor de iluminat")
	files := []declared{{kind: "anexe", name: "stalpi.pdf", body: scan}, {kind: "anexe", name: "strada.png", body: pngBytes()}}
	key := "petitie-" + uuid.NewString()
	var wg sync.WaitGroup
	answers := make([]response, 3)
	for i := range answers {
		wg.Go(func() {
			answers[i] = c.submit(lugoj, petition, petitionData("Iluminat public pe strada Făgetului"), files, "Idempotency-Key", key)
		})
	}
	wg.Wait()
	var ids []uuid.UUID
	for i, a := range answers {
		if a.status != http.StatusCreated {
			t.Fatalf("submit %d: %d %s", i, a.status, a.body)
		}
		var v requestView
		a.json(t, &v)
		ids = append(ids, v.ID)
	}
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Fatalf("three submits with one key made %v", ids)
	}
	id := ids[0]
	var requestsMade, sentToRegistry int
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM request), (SELECT count(*) FROM outbox WHERE event_type = 'ro.ghiseu.document.received')`).
			Scan(&requestsMade, &sentToRegistry)
	})
	if requestsMade != 1 || sentToRegistry != 1 {
		t.Fatalf("requests %d, registrations asked %d; want one of each", requestsMade, sentToRegistry)
	}

	v := c.waitRegistered(lugoj, id)
	reg := v.Registration
	want, err := deadlines.Deadline(reg.RegisteredAt, deadlines.Regime{Kind: deadlines.Petition})
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != "registered" || reg.Number < 1 || reg.Year != reg.RegisteredAt.In(bucharest(t)).Year() ||
		v.Deadline == nil || *v.Deadline != want.String() || v.DaysLeft == nil || *v.DaysLeft < 29 {
		t.Fatalf("registered request: %+v (deadline %v, days left %v), want deadline %s", v, v.Deadline, v.DaysLeft, want)
	}
	if got := v.actions(); !slices.Equal(got, []string{"submit", "register"}) {
		t.Errorf("history %v", got)
	}
	if len(v.Files) != 2 || !strings.Contains(string(v.Data), "Făgetului") {
		t.Errorf("files %+v, data %s", v.Files, v.Data)
	}
	// The citizen downloads its attachment back, and its receipt.
	got := c.do(http.MethodGet, v.Files[0].URL, nil).want(t, http.StatusOK)
	if !bytes.Equal(got.body, scan) {
		t.Errorf("the attachment came back changed: %d bytes, want %d", len(got.body), len(scan))
	}
	receipt := c.do(http.MethodGet, reg.ReceiptURL, nil).want(t, http.StatusOK)
	if text := pdfText(t, receipt.body); !strings.Contains(text, fmt.Sprintf("Nr. %d din", reg.Number)) {
		t.Errorf("receipt text: %q", text)
	}

	t.Run("my requests list it with its deadline", func(t *testing.T) {
		var mine struct {
			Items []requestView `json:"items"`
		}
		c.do(http.MethodGet, "/api/me/requests", nil).want(t, http.StatusOK).json(t, &mine)
		if len(mine.Items) != 1 || mine.Items[0].ID != id || mine.Items[0].DaysLeft == nil {
			t.Fatalf("my requests: %+v", mine.Items)
		}
	})

	t.Run("the receipt's code looks its status up, and nothing personal", func(t *testing.T) {
		anon := newBrowser(t, gw)
		q := url.Values{"number": {fmt.Sprint(reg.Number)}, "year": {fmt.Sprint(reg.Year)}, "code": {reg.VerificationCode}}
		r := anon.do(http.MethodGet, "/api/institutions/"+lugoj.String()+"/request-status?"+q.Encode(), nil).want(t, http.StatusOK)
		if !strings.Contains(string(r.body), `"registered"`) || strings.Contains(string(r.body), "Țăranu") || strings.Contains(string(r.body), "Făgetului") {
			t.Errorf("public status: %s", r.body)
		}
		// As printed, "9/2026", and the code copied in small letters, in groups.
		copied := url.Values{"number": {fmt.Sprintf("%d/%d", reg.Number, reg.Year)},
			"code": {strings.ToLower(reg.VerificationCode[:5] + " " + reg.VerificationCode[5:])}}
		anon.do(http.MethodGet, "/api/institutions/"+lugoj.String()+"/request-status?"+copied.Encode(), nil).want(t, http.StatusOK)
		copied.Set("number", fmt.Sprint(reg.Number)) // without its year
		anon.do(http.MethodGet, "/api/institutions/"+lugoj.String()+"/request-status?"+copied.Encode(), nil).
			want(t, http.StatusUnprocessableEntity)
		q.Set("code", "ALTCODGRES")
		anon.do(http.MethodGet, "/api/institutions/"+lugoj.String()+"/request-status?"+q.Encode(), nil).want(t, http.StatusNotFound)
	})

	t.Run("another citizen finds nothing", func(t *testing.T) {
		other := signUpVerifiedAt(t, gw, mp, uniqueEmail("altul"), "o altă parolă lungă")
		other.do(http.MethodGet, "/api/institutions/"+lugoj.String()+"/requests/"+id.String(), nil).want(t, http.StatusNotFound)
		other.do(http.MethodGet, v.Files[0].URL, nil).want(t, http.StatusNotFound)
	})

	t.Run("the registration is mailed with the receipt", func(t *testing.T) {
		var msg mailMessage
		poll.Until(t, 60*time.Second, "the registration mail", func() bool {
			for _, m := range mp.messagesTo(email) {
				if strings.Contains(m.Text, fmt.Sprint(reg.Number)) && len(m.Attachments) > 0 {
					msg = m
					return true
				}
			}
			return false
		})
		if !slices.ContainsFunc(msg.Attachments, func(a mailAttachment) bool { return a.ContentType == "application/pdf" }) {
			t.Errorf("attachments %+v, want the receipt PDF", msg.Attachments)
		}
	})
}

// Invalid form data, a missing required attachment, a forbidden format, an
// oversize file and a file whose bytes are more or fewer than declared
// each get a 4xx naming the field, and leave nothing:
// no request, nothing sent to the registry, no stored object.
func TestSubmissionRefusalsNameTheFieldAndLeaveNothing(t *testing.T) {
	p, gw, _ := requestsPlatform(t, nil)
	mp := newMailpit(t)
	lugoj := seed.InstitutionID(seed.LugojCIF)
	petition := seed.RequestTypeID(seed.LugojCIF, "petitie")
	urbanism := seed.RequestTypeID(seed.LugojCIF, "certificat-urbanism")
	c := signUpVerifiedAt(t, gw, mp, uniqueEmail("respins"), "o parolă lungă și bună")
	pdfScan := textPDF(t, "Plan de situație")
	extractScan := textPDF(t, "Extras de carte funciară")
	big := append(textPDF(t, "mare"), bytes.Repeat([]byte{' '}, 11<<20)...)
	for _, tc := range []struct {
		name   string
		typ    uuid.UUID
		data   any
		files  []declared
		status int
		field  string
	}{
		{"invalid form data", petition, map[string]any{"name": "Ș", "subject": "Iluminat"}, nil, http.StatusUnprocessableEntity, "data.text"},
		{"a missing required attachment", urbanism, urbanismForm(),
			[]declared{{kind: "plan-situatie", name: "plan.pdf", body: pdfScan}}, http.StatusUnprocessableEntity, "attachments.extras-cf"},
		{"a forbidden format by its name", petition, petitionData("Format interzis"),
			[]declared{{kind: "anexe", name: "program.exe", body: []byte("MZ\x90\x00 not really")}}, http.StatusUnsupportedMediaType, "attachments[0]"},
		{"a forbidden format by its bytes", urbanism, urbanismForm(),
			[]declared{{kind: "plan-situatie", name: "plan.pdf", body: pngBytes()}, {kind: "extras-cf", name: "cf.pdf", body: pdfScan}},
			http.StatusUnsupportedMediaType, "attachments[0]"},
		{"an oversize file, declared", petition, petitionData("Fișier prea mare"),
			[]declared{{kind: "anexe", name: "mare.pdf", body: big}}, http.StatusRequestEntityTooLarge, "attachments[0]"},
		// Declared small, its bytes are refused as soon as they outgrow the declaration.
		{"an oversize file, declared small", petition, petitionData("Fișier prea mare"),
			[]declared{{kind: "anexe", name: "mare.pdf", body: big, size: 1000}}, http.StatusUnprocessableEntity, "attachments[0]"},
		{"more bytes than declared", petition, petitionData("Dimensiune greșită"),
			[]declared{{kind: "anexe", name: "poza.png", body: pngBytes(), size: int64(len(pngBytes())) - 1}}, http.StatusUnprocessableEntity, "attachments[0]"},
		{"fewer bytes than declared", petition, petitionData("Dimensiune greșită"),
			[]declared{{kind: "anexe", name: "poza.png", body: pngBytes(), size: int64(len(pngBytes())) + 1}}, http.StatusUnprocessableEntity, "attachments[0]"},
		// The first file was stored by the time the second is refused: it goes too.
		{"the second file's bytes fewer than declared", urbanism, urbanismForm(),
			[]declared{{kind: "plan-situatie", name: "plan.pdf", body: pdfScan}, {kind: "extras-cf", name: "cf.pdf", body: extractScan,
				size: int64(len(extractScan)) + 1}}, http.StatusUnprocessableEntity, "attachments[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.submit(lugoj, tc.typ, tc.data, tc.files)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			var prob struct {
				Errors []struct{ Field, Message, MessageEn string } `json:"errors"`
			}
			r.json(t, &prob)
			if !slices.ContainsFunc(prob.Errors, func(e struct{ Field, Message, MessageEn string }) bool {
				return e.Field == tc.field && e.Message != "" && e.MessageEn != ""
			}) {
				t.Errorf("errors %+v do not name %s in both languages", prob.Errors, tc.field)
			}
			var made, asked int
			platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
				return tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM request),
					(SELECT count(*) FROM outbox WHERE event_type = 'ro.ghiseu.document.received')`).Scan(&made, &asked)
			})
			if _, _, objects := storedState(t, p, lugoj); made != 0 || asked != 0 || objects != 0 {
				t.Errorf("left behind: %d requests, %d registrations asked, %d objects", made, asked, objects)
			}
		})
	}
}

// urbanismForm is a valid urbanism certificate form.
func urbanismForm() map[string]any {
	return map[string]any{"property": map[string]any{"locality": "Lugoj", "street": "Strada Făgetului", "number": "12"},
		"cadastralNumber": "401234", "landBookNumber": "401234", "purpose": "construire", "area": 540}
}

// Staff of the competent department work on a request: the head assigns
// it, the clerk asks for information, the citizen answers with a file, the
// clerk extends the term once and resolves with an answer document, which
// the registry registers and the citizen downloads. Every step is in the
// history, the audit trail and the citizen's view.
func TestStaffWorkOnARequestToItsAnswer(t *testing.T) {
	// A request for public information registered today has its term for a
	// reasoned refusal 6 days away or more (5 days, the last not counted,
	// moved past holidays): the watch is told to remind that far ahead, so
	// one tick today shows that reminder.
	p, gw, as := requestsPlatform(t, map[string]string{"REQUEST_REFUSAL_REMINDER_DAYS": "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"})
	mp := newMailpit(t)
	lugoj := seed.InstitutionID(seed.LugojCIF)
	urbanism := seed.RequestTypeID(seed.LugojCIF, "certificat-urbanism")
	citizen := signUpVerifiedAt(t, gw, mp, uniqueEmail("constructor"), "o parolă lungă și bună")
	head, clerk := as("sef.urbanism@primarialugoj.ro"), as("urbanism@primarialugoj.ro")
	registrar := as("registratura@primarialugoj.ro")

	r := citizen.submit(lugoj, urbanism, urbanismForm(), []declared{
		{kind: "plan-situatie", name: "plan.pdf", body: textPDF(t, "Plan de situație")},
		{kind: "extras-cf", name: "cf.pdf", body: textPDF(t, "Extras de carte funciară")}}).want(t, http.StatusCreated)
	var v requestView
	r.json(t, &v)
	id := v.ID
	base := "/api/institutions/" + lugoj.String() + "/requests/" + id.String()
	v = citizen.waitRegistered(lugoj, id)

	act := func(c *apiClient, action string, body any, status int) requestView {
		t.Helper()
		var out requestView
		r := c.do(http.MethodPost, base+"/"+action, body).want(t, status)
		if status == http.StatusOK {
			r.json(t, &out)
		}
		return out
	}
	// The work list of the department, by deadline.
	var work struct {
		Items []requestView `json:"items"`
	}
	head.do(http.MethodGet, "/api/institutions/"+lugoj.String()+"/requests", nil).want(t, http.StatusOK).json(t, &work)
	if len(work.Items) != 1 || work.Items[0].ID != id || work.Items[0].DaysLeft == nil {
		t.Fatalf("work list: %+v", work.Items)
	}
	// A registrar does not read requests; a clerk may not assign.
	registrar.do(http.MethodGet, "/api/institutions/"+lugoj.String()+"/requests", nil).want(t, http.StatusForbidden)
	act(clerk, "assignment", map[string]string{"assigneeId": seed.AccountID("urbanism@primarialugoj.ro").String()}, http.StatusForbidden)
	act(head, "assignment", map[string]string{"assigneeId": seed.AccountID("registratura@primarialugoj.ro").String()}, http.StatusUnprocessableEntity)
	act(head, "assignment", map[string]string{"assigneeId": seed.AccountID("urbanism@primarialugoj.ro").String()}, http.StatusOK)
	clerk.do(http.MethodGet, "/api/institutions/"+lugoj.String()+"/requests?assignee=me", nil).want(t, http.StatusOK).json(t, &work)
	if len(work.Items) != 1 || work.Items[0].Status != "assigned" {
		t.Fatalf("my work: %+v", work.Items)
	}
	act(clerk, "start", map[string]string{}, http.StatusOK)
	act(clerk, "info-request", map[string]string{}, http.StatusUnprocessableEntity)
	act(clerk, "info-request", map[string]string{"question": "Vă rugăm să trimiteți ridicarea topografică."}, http.StatusOK)

	// The citizen sees the question and answers it with a file.
	citizen.do(http.MethodGet, base, nil).want(t, http.StatusOK).json(t, &v)
	if v.Status != "info_requested" || !strings.Contains(v.History[len(v.History)-1].Note, "ridicarea topografică") {
		t.Fatalf("the citizen's view: %s %+v", v.Status, v.History)
	}
	survey := textPDF(t, "Ridicare topografică")
	answer, err := json.Marshal(map[string]any{"text": "Am atașat ridicarea topografică.",
		"files": []map[string]any{{"name": "ridicare.pdf", "size": len(survey)}}})
	if err != nil {
		t.Fatal(err)
	}
	citizen.postMultipart(base+"/info", "answer", string(answer),
		[]filePart{{filename: "ridicare.pdf", body: bytes.NewReader(survey)}}).want(t, http.StatusOK)

	// One extension, with a reason; a second is refused.
	act(clerk, "extension", map[string]any{"days": 10}, http.StatusUnprocessableEntity)
	// A custom term keeps the petitions' cap of 15 days (public information's 30 in all is in shared/requests).
	act(clerk, "extension", map[string]any{"days": 16, "reason": "Necesită verificare pe teren."}, http.StatusUnprocessableEntity)
	ext := act(clerk, "extension", map[string]any{"days": 10, "reason": "Necesită verificare pe teren."}, http.StatusOK)
	if ext.Status != "extended" || ext.ExtendedDays != 10 || ext.Deadline == nil || *ext.Deadline == *v.Deadline {
		t.Fatalf("extended: %+v", ext)
	}
	act(clerk, "extension", map[string]any{"days": 1, "reason": "din nou"}, http.StatusConflict)
	// A request for public information, whose refusal term the watch
	// reminds of too.
	info := citizen.submit(lugoj, seed.RequestTypeID(seed.LugojCIF, "informatii-publice"), map[string]any{"name": "Asociația Civică",
		"information": "Contractele de iluminat public din 2025.", "answerFormat": "email", "email": "a@example.ro"}, nil).want(t, http.StatusCreated)
	var iv requestView
	info.json(t, &iv)
	iv = citizen.waitRegistered(lugoj, iv.ID)
	refusalBy, ok, err := deadlines.RefusalDeadline(iv.Registration.RegisteredAt, deadlines.Regime{Kind: deadlines.PublicInformation})
	if err != nil || !ok {
		t.Fatalf("refusal deadline: %v %v", ok, err)
	}
	// The daily deadline watch reminds of each term once, however often it
	// ticks.
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE request SET deadline = $2::date WHERE id = $1`, id, dbtest.Day(1))
		return err
	})
	for range 2 {
		tick := newEvent("dev.knative.sources.ping")
		tick.SetSource("/apis/v1/namespaces/ghiseu/pingsources/request-deadline-watch-daily")
		if status := postEvent(t, p.functions["handle-request"], tick); status/100 != 2 {
			t.Fatalf("deadline watch: %d", status)
		}
	}
	var reminders int
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE event_type = 'ro.ghiseu.request.deadline.approaching'
			AND event -> 'data' ->> 'requestId' = $1`, id.String()).Scan(&reminders)
	})
	if reminders != 1 {
		t.Errorf("deadline reminders: %d, want 1", reminders)
	}
	type reminder struct{ term, refusalDeadline string }
	remindersOf := func(id uuid.UUID) []reminder {
		var got []reminder
		platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT coalesce(event -> 'data' ->> 'term', ''), coalesce(event -> 'data' ->> 'refusalDeadline', '')
				FROM outbox WHERE event_type = 'ro.ghiseu.request.deadline.approaching' AND event -> 'data' ->> 'requestId' = $1`, id.String())
			if err != nil {
				return err
			}
			for rows.Next() {
				var r reminder
				if err := rows.Scan(&r.term, &r.refusalDeadline); err != nil {
					return err
				}
				got = append(got, r)
			}
			return rows.Err()
		})
		return got
	}
	// The certificate's term is the answer's only; public information's
	// refusal term is reminded of with its day.
	if got := remindersOf(id); !slices.Equal(got, []reminder{{"answer", ""}}) {
		t.Errorf("the certificate's reminders %+v, want the answer's", got)
	}
	if got := remindersOf(iv.ID); !slices.Equal(got, []reminder{{"refusal", refusalBy.String()}}) {
		t.Errorf("public information's reminders %+v, want the refusal's by %s", got, refusalBy)
	}

	// A stale If-Match is refused.
	clerk.do(http.MethodPost, base+"/rejection", map[string]string{"reason": "x"}, "If-Match", `"1"`).want(t, http.StatusPreconditionFailed)

	// The answer: a document, registered as outgoing, downloaded by the citizen.
	answerPDF := textPDF(t, "Certificat de urbanism nr. 12")
	decl, err := json.Marshal(map[string]any{"note": "Certificatul a fost emis.", "files": []map[string]string{{"name": "certificat.pdf", "title": "Certificat de urbanism"}}})
	if err != nil {
		t.Fatal(err)
	}
	clerk.postMultipart(base+"/resolution", "resolution", string(decl),
		[]filePart{{filename: "certificat.pdf", body: bytes.NewReader(answerPDF)}}).want(t, http.StatusOK)
	poll.Until(t, 60*time.Second, "the answer's registration", func() bool {
		citizen.do(http.MethodGet, base, nil).want(t, http.StatusOK).json(t, &v)
		return v.Answer != nil
	})
	if v.Status != "resolved" {
		t.Fatalf("status %s", v.Status)
	}
	want := []string{"submit", "register", "ask_info", "provide_info", "extend", "resolve", "answer_registered"}
	if got := v.actions(); !slices.Equal(got, want) {
		t.Errorf("the citizen's history %v, want %v (assignment and start are internal)", got, want)
	}
	i := slices.IndexFunc(v.Files, func(f struct {
		ID     int64  `json:"id"`
		Kind   string `json:"kind"`
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
		URL    string `json:"url"`
	}) bool {
		return f.Kind == "answer"
	})
	if i < 0 {
		t.Fatalf("no answer among the files: %+v", v.Files)
	}
	if got := citizen.do(http.MethodGet, v.Files[i].URL, nil).want(t, http.StatusOK); !bytes.Equal(got.body, answerPDF) {
		t.Errorf("the answer came back changed")
	}
	act(clerk, "rejection", map[string]string{"reason": "prea târziu"}, http.StatusConflict)

	// The dashboard counts it: received and resolved today, in the head's
	// department; a registrar reads no requests, so no numbers either.
	var overview struct {
		Today string `json:"today"`
		Days  []struct {
			Day      string `json:"day"`
			Received int    `json:"received"`
			Resolved int    `json:"resolved"`
		} `json:"days"`
		Departments []struct {
			Name string `json:"name"`
			Open int    `json:"open"`
		} `json:"departments"`
	}
	stats := "/api/institutions/" + lugoj.String() + "/statistics/requests"
	head.do(http.MethodGet, stats, nil).want(t, http.StatusOK).json(t, &overview)
	if n := len(overview.Days); n != 30 || overview.Days[n-1].Day != overview.Today ||
		overview.Days[n-1].Received != 1 || overview.Days[n-1].Resolved != 1 {
		t.Errorf("overview days: %+v (today %s), want 30 ending today with one received and resolved", overview.Days, overview.Today)
	}
	if len(overview.Departments) != 1 || overview.Departments[0].Open != 0 {
		t.Errorf("overview departments: %+v, want the head's one, with nothing open", overview.Departments)
	}
	registrar.do(http.MethodGet, stats, nil).want(t, http.StatusForbidden)
	head.do(http.MethodGet, stats+"?from=2026-01-10&to=2026-01-01", nil).want(t, http.StatusUnprocessableEntity)
	head.do(http.MethodGet, stats+"?to=ieri", nil).want(t, http.StatusUnprocessableEntity)

	// Each action is an audit row and an event.
	var audited []string
	var announced []string
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT action FROM audit_log WHERE object_id = $1 ORDER BY seq`, id.String())
		if err != nil {
			return err
		}
		if audited, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT event_type FROM outbox WHERE event ->> 'source' <> '' AND event_type LIKE 'ro.ghiseu.request.%' ORDER BY id`)
		if err != nil {
			return err
		}
		announced, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	for _, a := range []string{"request.submit", "request.register", "request.assign", "request.start", "request.ask_info",
		"request.provide_info", "request.extend", "request.resolve", "request.answer_registered"} {
		if !slices.Contains(audited, a) {
			t.Errorf("audit trail %v lacks %s", audited, a)
		}
	}
	for _, e := range []string{"ro.ghiseu.request.submitted", "ro.ghiseu.request.registered", "ro.ghiseu.request.assigned",
		"ro.ghiseu.request.info.requested", "ro.ghiseu.request.info.provided", "ro.ghiseu.request.extended", "ro.ghiseu.request.resolved"} {
		if !slices.Contains(announced, e) {
			t.Errorf("events %v lack %s", announced, e)
		}
	}
}
