package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/ledongthuc/pdf"

	"github.com/ghiseu/ghiseu/infra/seed"
	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/httpapi/openapitest"
	"github.com/ghiseu/ghiseu/shared/pii"
	"github.com/ghiseu/ghiseu/shared/poll"
	"github.com/ghiseu/ghiseu/shared/receipt"
)

// registryPlatform runs register-document over the demo seed, with a
// per-file limit of maxFile bytes, and returns a function making an API
// client signed in as a demo account ("" for an anonymous one).
func registryPlatform(t *testing.T, maxFile int) (*platform, func(email string) *apiClient) {
	t.Helper()
	// submit-request takes every registration (and acknowledges those not
	// of a request): without it, they would wait for it in the broker.
	p := startPlatform(t, "", map[string]string{"DOCUMENTS_MAX_FILE_SIZE": fmt.Sprint(maxFile)}, "register-document", "submit-request")
	ctx := context.Background()
	protector, err := pii.New(pii.KeysConfig{Keys: "1:" + testKey(), IndexKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(ctx, p.db.App, protector, "parola demonstrației, lungă"); err != nil {
		t.Fatalf("seed: %v", err)
	}
	as := func(email string) *apiClient {
		t.Helper()
		c := &apiClient{t: t, base: p.functions["register-document"], http: &http.Client{Timeout: 60 * time.Second}, ip: "198.51.100.8"}
		if email == "" {
			return c
		}
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
	return p, as
}

type filePart struct {
	filename string
	body     io.Reader
}

// register posts a registration as multipart/form-data: the entry's JSON,
// then the files, streamed. A body that fails mid-way (a truncated upload)
// ends the request early.
func (c *apiClient) register(path string, entry string, files ...filePart) response {
	c.t.Helper()
	return c.postMultipart(path, "entry", entry, files)
}

// postMultipart posts multipart/form-data: a JSON part named name, then
// one "file" part per file, streamed.
func (c *apiClient) postMultipart(path, name, body string, files []filePart, headers ...string) response {
	c.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q`, name))
		h.Set("Content-Type", "application/json")
		part, err := mw.CreatePart(h)
		if err == nil {
			_, err = io.WriteString(part, body)
		}
		for _, f := range files {
			if err != nil {
				break
			}
			if part, err = mw.CreateFormFile("file", f.filename); err == nil {
				_, err = io.Copy(part, f.body)
			}
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, c.base+path, pr)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.ip != "" {
		req.Header.Set("X-Forwarded-For", c.ip)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return response{status: 0, body: []byte(err.Error())}
	}
	openapitest.Check(c.t, req, resp)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

type registeredEntry struct {
	ID               uuid.UUID `json:"id"`
	Year             int       `json:"year"`
	Number           int64     `json:"number"`
	RegisterCode     string    `json:"registerCode"`
	Subject          string    `json:"subject"`
	Confidentiality  string    `json:"confidentiality"`
	VerificationCode string    `json:"verificationCode"`
	Revision         int       `json:"revision"`
	Annulment        *struct {
		Reason string `json:"reason"`
	} `json:"annulment"`
	Documents []struct {
		ID       uuid.UUID `json:"id"`
		Title    string    `json:"title"`
		Versions []struct {
			Version   int    `json:"version"`
			SHA256    string `json:"sha256"`
			MediaType string `json:"mediaType"`
			Name      string `json:"name"`
			Content   string `json:"content"`
		} `json:"versions"`
	} `json:"documents"`
	Revisions []struct {
		Reason string `json:"reason"`
	} `json:"revisions"`
}

// textPDF is a real PDF whose text is subject (a receipt serves well).
func textPDF(t *testing.T, subject string) []byte {
	t.Helper()
	var b bytes.Buffer
	err := receipt.Write(&b, receipt.Data{Institution: "Ion Popescu", RegisterName: "scan", Number: 7, Year: 2026,
		RegisteredAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), TimeZone: time.UTC, Subject: subject,
		VerificationCode: "X", VerificationURL: "http://x"})
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a PDF: %v", err)
	}
	var sb strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		text, err := r.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatal(err)
		}
		sb.WriteString(text)
	}
	return sb.String()
}

// storedState counts what registration leaves behind: entries, versions
// and objects of the institution.
func storedState(t *testing.T, p *platform, inst uuid.UUID) (entries, versions, objects int) {
	t.Helper()
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM registry_entry WHERE institution_id = $1),
			(SELECT count(*) FROM document_version WHERE institution_id = $1)`, inst).Scan(&entries, &versions)
	})
	for _, err := range p.blob.List(context.Background(), p.documentsBucket, inst.String()+"/") {
		if err != nil {
			t.Fatal(err)
		}
		objects++
	}
	return entries, versions, objects
}

// A registrar registers a document at the counter with a scanned file; the
// entry, its file, its receipt and its audit trail are as the registry
// must keep them.
func TestRegistrationAtTheCounter(t *testing.T) {
	p, as := registryPlatform(t, 1<<20)
	inst := seed.InstitutionID(seed.LugojCIF)
	base := "/api/institutions/" + inst.String()
	registrar := as("registratura@primarialugoj.ro")

	var regs struct {
		Items []struct {
			ID   uuid.UUID `json:"id"`
			Code string    `json:"code"`
		} `json:"items"`
	}
	registrar.do(http.MethodGet, base+"/registers", nil).want(t, http.StatusOK).json(t, &regs)
	if len(regs.Items) != 4 || regs.Items[0].Code != "E" {
		t.Fatalf("registers: %+v", regs.Items)
	}
	incoming := seed.RegisterID(seed.LugojCIF, "I")

	scan := textPDF(t, "Cerere pentru eliberarea autorizației de construire, Ștefan Țârlea")
	entry := fmt.Sprintf(`{"registerId":%q,"sender":"Ștefan Țârlea, str. Bocșei 12, Lugoj","subject":"Cerere autorizație de construire","pages":3,
		"documents":[{"title":"Cererea scanată"}]}`, incoming)
	var e registeredEntry
	r := registrar.register(base+"/registry-entries", entry, filePart{"cerere scanată.pdf", bytes.NewReader(scan)},
		filePart{"plan.png", bytes.NewReader(append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...))})
	r.want(t, http.StatusCreated).json(t, &e)
	if e.Number != 1 || e.Year != time.Now().In(bucharest(t)).Year() || e.RegisterCode != "I" || len(e.VerificationCode) != 10 {
		t.Fatalf("registered %+v", e)
	}
	if len(e.Documents) != 2 || e.Documents[0].Title != "Cererea scanată" || e.Documents[0].Versions[0].MediaType != "application/pdf" ||
		e.Documents[1].Title != "plan.png" || e.Documents[1].Versions[0].MediaType != "image/png" {
		t.Fatalf("documents %+v", e.Documents)
	}

	// The file comes back byte for byte, and the download is audited.
	got := registrar.do(http.MethodGet, e.Documents[0].Versions[0].Content, nil).want(t, http.StatusOK)
	if !bytes.Equal(got.body, scan) || got.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %d bytes, headers %v", len(got.body), got.header)
	}
	var downloads int
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE institution_id = $1 AND action = 'document.download'
			AND actor_id = $2 AND object_id = $3`, inst, seed.AccountID("registratura@primarialugoj.ro"), e.Documents[0].ID.String()).Scan(&downloads)
	})
	if downloads != 1 {
		t.Fatalf("%d audited downloads, want 1", downloads)
	}

	// The receipt carries the number and Romanian letters, as text.
	rc := registrar.do(http.MethodGet, base+"/registry-entries/"+e.ID.String()+"/receipt", nil).want(t, http.StatusOK)
	text := pdfText(t, rc.body)
	for _, want := range []string{"Nr. 1 din", "Primăria Municipiului Lugoj", "Registrul de intrare", "Cerere autorizație de construire", e.VerificationCode} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt text lacks %q:\n%s", want, text)
		}
	}
	// Its verification link names the institution (the status lookup
	// checks the code in that institution's registry).
	if want := "/verificare/" + inst.String() + "?"; !strings.Contains(string(rc.body), want) {
		t.Errorf("the receipt's link does not go to %s", want)
	}
	// A file to save, or, to print, for the browser to show; nothing else.
	if cd := rc.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("Content-Disposition %q, want an attachment", cd)
	}
	shown := registrar.do(http.MethodGet, base+"/registry-entries/"+e.ID.String()+"/receipt?disposition=inline", nil).want(t, http.StatusOK)
	if cd := shown.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline;") || !bytes.Equal(shown.body, rc.body) {
		t.Errorf("to print: Content-Disposition %q, %d bytes; want inline, the same %d bytes", cd, len(shown.body), len(rc.body))
	}
	registrar.do(http.MethodGet, base+"/registry-entries/"+e.ID.String()+"/receipt?disposition=print", nil).
		want(t, http.StatusUnprocessableEntity)

	// The next registration is number 2; an answer registered as outgoing
	// references the entry it answers.
	// Sent twice with one Idempotency-Key (a double click), it takes one
	// number; the key with another request is refused.
	var answer, again registeredEntry
	answerBody := map[string]any{"registerId": seed.RegisterID(seed.LugojCIF, "E"),
		"recipient": "Ștefan Țârlea", "subject": "Răspuns la cererea de autorizație", "answersEntryId": e.ID}
	registrar.do(http.MethodPost, base+"/registry-entries", answerBody, "Idempotency-Key", "raspuns-1").
		want(t, http.StatusCreated).json(t, &answer)
	registrar.do(http.MethodPost, base+"/registry-entries", answerBody, "Idempotency-Key", "raspuns-1").
		want(t, http.StatusCreated).json(t, &again)
	if answer.Number != 1 || answer.RegisterCode != "E" || again.ID != answer.ID || again.Number != 1 {
		t.Fatalf("answer %+v, repeated %+v", answer, again)
	}
	answerBody["subject"] = "Alt răspuns"
	if r := registrar.do(http.MethodPost, base+"/registry-entries", answerBody, "Idempotency-Key", "raspuns-1"); r.problemCode() != "idempotency_key_reused" {
		t.Fatalf("the key reused for another request: %d %s", r.status, r.body)
	}

	// A correction is a new revision with its reason; a stale one is 412.
	path := base + "/registry-entries/" + e.ID.String()
	cur := registrar.do(http.MethodGet, path, nil).want(t, http.StatusOK)
	registrar.do(http.MethodPatch, path, map[string]any{"subject": "x"}, "If-Match", cur.header.Get("ETag")).want(t, http.StatusUnprocessableEntity)
	var corrected registeredEntry
	registrar.do(http.MethodPatch, path, map[string]any{"subject": "Cerere autorizație de construire locuință", "reason": "subiect incomplet"},
		"If-Match", cur.header.Get("ETag")).want(t, http.StatusOK).json(t, &corrected)
	if corrected.Revision != 2 || corrected.Number != 1 {
		t.Fatalf("corrected %+v", corrected)
	}
	registrar.do(http.MethodPatch, path, map[string]any{"pages": 4, "reason": "x"}, "If-Match", cur.header.Get("ETag")).want(t, http.StatusPreconditionFailed)
	registrar.do(http.MethodPatch, path, map[string]any{"pages": 4, "reason": "x"}).want(t, http.StatusPreconditionRequired)

	// Annulment keeps the number; it needs registry.annul (or, for the
	// registrar's own fresh entry, registry.register: see
	// TestAnswerNumberingByPracticeAndLinks), and a reason.
	as("urbanism@primarialugoj.ro").do(http.MethodPost, path+"/annulment", map[string]any{"reason": "dublură"}).want(t, http.StatusForbidden)
	secretary := as("secretar@primarialugoj.ro")
	secretary.do(http.MethodPost, path+"/annulment", map[string]any{"reason": ""}).want(t, http.StatusUnprocessableEntity)
	var annulled registeredEntry
	secretary.do(http.MethodPost, path+"/annulment", map[string]any{"reason": "înregistrată de două ori"}).want(t, http.StatusOK).json(t, &annulled)
	if annulled.Number != 1 || annulled.Annulment == nil || annulled.Annulment.Reason != "înregistrată de două ori" {
		t.Fatalf("annulled %+v", annulled)
	}
	secretary.do(http.MethodPost, path+"/annulment", map[string]any{"reason": "din nou"}).want(t, http.StatusConflict)

	// Nothing deletes an entry or a document: no route takes DELETE, and
	// the database refuses whoever asks.
	admin := as("admin@primarialugoj.ro")
	for _, del := range []string{path, path + "/documents/" + e.Documents[0].ID.String(),
		path + "/documents/" + e.Documents[0].ID.String() + "/versions/1", path + "/annulment"} {
		req, _ := http.NewRequest(http.MethodDelete, admin.base+del, nil)
		req.Header.Set("Authorization", "Bearer "+admin.bearer)
		resp, err := admin.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("DELETE %s: %d, want no such route", del, resp.StatusCode)
		}
	}
	ctx := context.Background()
	for _, stmt := range []string{`DELETE FROM registry_entry WHERE id = $1`,
		`DELETE FROM document_version WHERE document_id IN (SELECT id FROM document WHERE entry_id = $1)`} {
		err := db.TenantTx(ctx, p.db.App, inst, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, stmt, e.ID); return err })
		if err == nil {
			t.Errorf("%s succeeded", stmt)
		}
	}
	var left registeredEntry
	registrar.do(http.MethodGet, path, nil).want(t, http.StatusOK).json(t, &left)
	if left.Number != 1 || len(left.Documents) != 2 || left.Annulment == nil || len(left.Revisions) != 1 {
		t.Fatalf("after the attempts: %+v", left)
	}

	// Every act is in the audit trail.
	var acts []string
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT action FROM audit_log WHERE institution_id = $1 AND object_id = $2 ORDER BY seq`, inst, e.ID.String())
		if err != nil {
			return err
		}
		acts, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if strings.Join(acts, ",") != "registry.register,registry.correct,registry.annul" {
		t.Fatalf("audited acts on the entry: %v", acts)
	}
}

func bucharest(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Bucharest")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Hostile uploads get a clear 4xx and leave no entry, version or object.
func TestHostileUploadsAreRefusedAndLeaveNothing(t *testing.T) {
	const limit = 1 << 20
	p, as := registryPlatform(t, limit)
	inst := seed.InstitutionID(seed.LugojCIF)
	base := "/api/institutions/" + inst.String()
	registrar := as("registratura@primarialugoj.ro")
	entry := fmt.Sprintf(`{"registerId":%q,"sender":"Ion Popescu","subject":"Cerere"}`, seed.RegisterID(seed.LugojCIF, "I"))
	validPDF := textPDF(t, "Cerere")
	annex := textPDF(t, "Anexă la cerere")
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 200)...)
	sizedEntry := func(sizes ...int) string {
		docs := make([]map[string]int, len(sizes))
		for i, n := range sizes {
			docs[i] = map[string]int{"size": n}
		}
		b, err := json.Marshal(map[string]any{"registerId": seed.RegisterID(seed.LugojCIF, "I"), "sender": "Ion Popescu", "subject": "Cerere",
			"documents": docs})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	tests := []struct {
		name     string
		file     filePart
		status   int
		code     string
		finished bool // false: the client itself gives up mid-body
		// entry, when set, replaces the default; more files follow file.
		entry string
		more  []filePart
	}{
		{"path traversal", filePart{"../../etc/passwd", bytes.NewReader(validPDF)}, http.StatusUnprocessableEntity, "invalid_input", true, "", nil},
		{"windows path", filePart{`C:\Windows\system32\cmd.pdf`, bytes.NewReader(validPDF)}, http.StatusUnprocessableEntity, "invalid_input", true, "", nil},
		{"empty file", filePart{"gol.pdf", bytes.NewReader(nil)}, http.StatusUnprocessableEntity, "invalid_input", true, "", nil},
		{"over the limit", filePart{"mare.pdf", io.MultiReader(bytes.NewReader(validPDF), bytes.NewReader(make([]byte, limit)))}, http.StatusRequestEntityTooLarge, "file_too_large", true, "", nil},
		{"executable declared as PDF", filePart{"decizie.pdf", bytes.NewReader(elf)}, http.StatusUnsupportedMediaType, "file_type_not_allowed", true, "", nil},
		{"truncated stream", filePart{"rupt.pdf", &truncated{r: bytes.NewReader(append(validPDF, make([]byte, 300<<10)...)), after: 200 << 10}}, 0, "", false, "", nil},
		// The first file is stored by the time the second is refused: it goes too.
		{"a second file with fewer bytes than declared", filePart{"cerere.pdf", bytes.NewReader(validPDF)}, http.StatusUnprocessableEntity,
			"invalid_input", true, sizedEntry(len(validPDF), len(annex)+1), []filePart{{"anexa.pdf", bytes.NewReader(annex)}}},
		{"more bytes than declared", filePart{"cerere.pdf", bytes.NewReader(validPDF)}, http.StatusUnprocessableEntity,
			"invalid_input", true, sizedEntry(len(validPDF) - 1), nil},
	}
	before := [3]int{}
	before[0], before[1], before[2] = storedState(t, p, inst)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			registrar.t = t
			body := entry
			if tc.entry != "" {
				body = tc.entry
			}
			r := registrar.register(base+"/registry-entries", body, append([]filePart{tc.file}, tc.more...)...)
			if tc.finished && (r.status != tc.status || r.problemCode() != tc.code) {
				t.Fatalf("%d %s, want %d %s", r.status, r.body, tc.status, tc.code)
			}
			if !tc.finished && r.status != 0 && (r.status < 400 || r.status >= 500) {
				t.Fatalf("a truncated upload: %d %s, want a 4xx or no answer", r.status, r.body)
			}
			// Nothing stays: the server may still be aborting the upload of
			// a truncated body when the client has gone, so wait for it.
			var now [3]int
			poll.Until(t, 10*time.Second, "no entry, version or object left", func() bool {
				now[0], now[1], now[2] = storedState(t, p, inst)
				return now == before
			})
		})
	}
	// A sane registration still works, and is numbered 1: the refused ones
	// used no number.
	var e registeredEntry
	registrar.t = t
	registrar.register(base+"/registry-entries", entry, filePart{"cerere.pdf", bytes.NewReader(validPDF)}).want(t, http.StatusCreated).json(t, &e)
	if e.Number != 1 {
		t.Fatalf("number %d after the refusals, want 1", e.Number)
	}
}

// truncated gives after bytes of r and then fails, as a client whose
// connection drops mid-upload.
type truncated struct {
	r     io.Reader
	after int
}

func (t *truncated) Read(p []byte) (int, error) {
	if t.after <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	if len(p) > t.after {
		p = p[:t.after]
	}
	n, err := t.r.Read(p)
	t.after -= n
	return n, err
}

// A document received as an event (from the portal, for a citizen) is
// registered once however often it is delivered, announced with
// ro.ghiseu.document.registered, and its citizen sees it and its receipt;
// another citizen does not.
func TestRegistrationOfAReceivedEvent(t *testing.T) {
	p, as := registryPlatform(t, 1<<20)
	inst := seed.InstitutionID(seed.LugojCIF)
	citizen := seed.AccountID(seed.CitizenEmail)
	ctx := context.Background()
	// The portal stores the file first, as submit-request does.
	up, err := uploadAs(ctx, p, inst, textPDF(t, "Petiție privind iluminatul public"), "petitie.pdf")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := events.Platform()
	if err != nil {
		t.Fatal(err)
	}
	e, err := cat.New(events.TypeDocumentReceived, "/ghiseu/functions/submit-request", inst, map[string]any{
		"registerCode": "I", "direction": "incoming", "channel": "portal", "sender": "Ioana Popescu",
		"subject": "Petiție privind iluminatul public", "partyAccountId": citizen, "reference": "cerere-42",
		"documents": []map[string]any{{"title": "Petiția", "sha256": up, "name": "petitie.pdf"}}})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if status := postEvent(t, p.functions["register-document"], e); status/100 != 2 {
			t.Fatalf("delivery answered %d", status)
		}
	}
	var entryID uuid.UUID
	var number int64
	var n int
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) OVER (), id, number FROM registry_entry WHERE institution_id = $1 AND party_account_id = $2`,
			inst, citizen).Scan(&n, &entryID, &number)
	})
	if n != 1 || number != 1 {
		t.Fatalf("%d entries (number %d), want exactly one numbered 1", n, number)
	}
	var registered map[string]any
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT event->'data' FROM outbox WHERE event_type = $1`, events.TypeDocumentRegistered).Scan(&registered)
	})
	if registered["reference"] != "cerere-42" || registered["receivedEventId"] != e.ID() || registered["number"] != float64(1) {
		t.Fatalf("registered event data %v", registered)
	}

	path := "/api/institutions/" + inst.String() + "/registry-entries/" + entryID.String()
	mine := as(seed.CitizenEmail)
	mine.do(http.MethodGet, path, nil).want(t, http.StatusOK)
	rc := mine.do(http.MethodGet, path+"/receipt", nil).want(t, http.StatusOK)
	if text := pdfText(t, rc.body); !strings.Contains(text, "Nr. 1 din") || !strings.Contains(text, "Petiție privind iluminatul public") {
		t.Fatalf("receipt text: %s", text)
	}
	// Another institution's administrator and a clerk without registry
	// rights in this one see nothing.
	as("admin@daslugoj.ro").do(http.MethodGet, path, nil).want(t, http.StatusForbidden)

	// An event naming a file that was never stored is refused for good
	// (not retried) and registers nothing.
	bad, err := cat.New(events.TypeDocumentReceived, "/ghiseu/functions/submit-request", inst, map[string]any{
		"registerCode": "I", "direction": "incoming", "channel": "portal", "subject": "x",
		"documents": []map[string]any{{"title": "x", "sha256": strings.Repeat("ab", 32), "name": "x.pdf"}}})
	if err != nil {
		t.Fatal(err)
	}
	if status := postEvent(t, p.functions["register-document"], bad); status != http.StatusUnprocessableEntity {
		t.Fatalf("an event with a missing file answered %d, want 422", status)
	}
}

// uploadAs stores a file as another function (submit-request) would, and
// returns its SHA-256.
func uploadAs(ctx context.Context, p *platform, inst uuid.UUID, b []byte, name string) (string, error) {
	store := &documents.Store{Blob: p.blob, Bucket: p.documentsBucket}
	up, err := store.Upload(ctx, inst, bytes.NewReader(b), name)
	return up.SHA256, err
}

// Search finds entries by words typed without diacritics and in other
// inflections, in the subject, the parties and the text of the scanned
// PDF, and never shows a confidential entry to whom may not read it.
func TestSearchFindsInflectedWordsAndHidesConfidential(t *testing.T) {
	_, as := registryPlatform(t, 1<<20)
	inst := seed.InstitutionID(seed.LugojCIF)
	base := "/api/institutions/" + inst.String()
	registrar := as("registratura@primarialugoj.ro")
	incoming := seed.RegisterID(seed.LugojCIF, "I")
	entry := func(sender, subject, confidentiality string) string {
		return fmt.Sprintf(`{"registerId":%q,"sender":%q,"subject":%q,"confidentiality":%q}`, incoming, sender, subject, confidentiality)
	}
	registrar.register(base+"/registry-entries", entry("Ștefan Țârlea", "Cererea privind autorizația de construire", "public")).want(t, http.StatusCreated)
	registrar.register(base+"/registry-entries", entry("Ana Mureșan", "Sesizare iluminat public", "public"),
		filePart{"sesizare.pdf", bytes.NewReader(textPDF(t, "Stâlpii de pe strada Făgetului sunt căzuți"))}).want(t, http.StatusCreated)
	registrar.register(base+"/registry-entries", entry("Ion Confidențiu", "Cerere de anchetă disciplinară", "confidential")).want(t, http.StatusCreated)

	type page struct {
		Items []struct {
			Number  int64  `json:"number"`
			Subject string `json:"subject"`
		} `json:"items"`
		Next *string `json:"next"`
	}
	search := func(c *apiClient, query string) []int64 {
		t.Helper()
		var pg page
		c.do(http.MethodGet, base+"/registry-entries?"+query, nil).want(t, http.StatusOK).json(t, &pg)
		var got []int64
		for _, it := range pg.Items {
			got = append(got, it.Number)
		}
		return got
	}
	clerk := as("urbanism@primarialugoj.ro")
	secretary := as("secretar@primarialugoj.ro")
	tests := []struct {
		who   string
		c     *apiClient
		query string
		want  []int64
	}{
		{"inflected word", clerk, "q=cerere", []int64{1}},
		{"no diacritics", clerk, "q=autorizatie+construire", []int64{1}},
		{"party without diacritics", clerk, "party=stefan+tarlea", []int64{1}},
		{"text of the scanned PDF", clerk, "q=stalpii+fagetului", []int64{2}},
		{"confidential hidden from a clerk", clerk, "q=ancheta", nil},
		{"confidential shown to the secretary general", secretary, "q=ancheta", []int64{3}},
		{"confidential shown to whoever registered it", registrar, "q=cerere", []int64{3, 1}},
		{"by number", secretary, "number=2", []int64{2}},
		{"everything, newest first", secretary, "", []int64{3, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			tt.c.t = t
			if got := search(tt.c, tt.query); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("%s: %v, want %v", tt.query, got, tt.want)
			}
		})
	}
	secretary.t = t
	var first page
	secretary.do(http.MethodGet, base+"/registry-entries?limit=2", nil).want(t, http.StatusOK).json(t, &first)
	if len(first.Items) != 2 || first.Next == nil {
		t.Fatalf("first page %+v", first)
	}
	if got := search(secretary, "limit=2&cursor="+*first.Next); fmt.Sprint(got) != "[1]" {
		t.Fatalf("second page %v, want [1]", got)
	}
	secretary.do(http.MethodGet, base+"/registry-entries?cursor=nonsense", nil).want(t, http.StatusUnprocessableEntity)

	// The register exports as CSV and as a printable PDF; the clerk may not.
	today := time.Now().In(bucharest(t)).Format(time.DateOnly)
	csv := registrar.do(http.MethodGet, base+"/registers/"+incoming.String()+"/export?format=csv&from="+today+"&to="+today, nil).want(t, http.StatusOK)
	if !strings.Contains(string(csv.body), "Sesizare iluminat public") || !strings.Contains(string(csv.body), "Cererea privind autorizația de construire") {
		t.Fatalf("CSV export:\n%s", csv.body)
	}
	pdfExport := secretary.do(http.MethodGet, base+"/registers/"+incoming.String()+"/export?format=pdf&from="+today+"&to="+today, nil).want(t, http.StatusOK)
	// Words joined whatever the column's width wrapped.
	if text := strings.Join(strings.Fields(pdfText(t, pdfExport.body)), " "); !strings.Contains(text, "Sesizare iluminat public") || !strings.Contains(text, "anchetă disciplinară") {
		t.Fatalf("PDF export text:\n%s", text)
	}
	clerk.t = t
	clerk.do(http.MethodGet, base+"/registers/"+incoming.String()+"/export?format=csv&from="+today+"&to="+today, nil).want(t, http.StatusForbidden)
}
