package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/links"
	"github.com/ghiseu/ghiseu/shared/mail/mailtest"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/sms"
	"github.com/ghiseu/ghiseu/shared/weblinks"
)

// updateLinks rewrites the fixture of the links notify sends:
// go test ./functions/notify -run TestEveryLinkSentOpensAPage -update-links
var updateLinks = flag.Bool("update-links", false, "rewrite testdata/links.json from what notify sends")

// linksFixture holds every link notify sends, as web/src/links.test.tsx
// resolves them with the web app's router: a link that lands on its "not
// found" page fails there.
var linksFixture = filepath.Join("testdata", "links.json")

// sentLink is one link as sent: by which kind of notification, to whom,
// how, in which language, and the page of the web app it opens.
type sentLink struct {
	Kind    string `json:"kind"`
	To      string `json:"to"`
	Channel string `json:"channel"`
	Locale  string `json:"locale"`
	Link    string `json:"link"`
	Page    string `json:"page"`
}

var (
	// anyURL is a link in a text: up to a space, a quote or a bracket.
	anyURL = regexp.MustCompile(`https?://[^\s"'<>()]+`)
	// pdfURI is a link annotation of a PDF, as gopdf writes it.
	pdfURI  = regexp.MustCompile(`/URI \(([^)]*)\)`)
	anyUUID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// Every link in every kind of notification (each mail template, in the
// app, by SMS, on the attached receipt), in both languages, to each kind
// of recipient, goes to a page of the web app that its router knows: each
// is matched to a page of shared/weblinks (whose patterns are the web
// app's routes), and the list is the fixture the web app's test resolves
// with its real router. A link added, changed or dropped makes the fixture
// stale and fails here until it is rewritten (-update-links) and resolved
// there.
func TestEveryLinkSentOpensAPage(t *testing.T) {
	mp := mailtest.New(t)
	w := newWorld(t)
	n := w.notifier(smtpTo(t, mp.SMTPAddr), testOptions())
	site := weblinks.New(publicURL)
	ctx := context.Background()
	outbox := events.NewOutbox(w.d.App, w.catalog, nil, n.log)

	// The platform's operators, one in each language: every operators'
	// notice reaches both.
	yesterday := deadlines.DateOf(time.Now()).AddDays(-1).String()
	var operatorIDs []uuid.UUID
	for i, locale := range []string{"ro", "en"} {
		id := uuid.New()
		w.exec(`INSERT INTO account (id, kind, institution_id, email, email_verified_at, display_name, locale, phone)
			VALUES ($1, 'staff', $2, $3, now(), 'Maria Operator', $4, $5)`, id, w.inst, mailtest.UniqueAddress("operator-"+locale),
			locale, fmt.Sprintf("0722 444 55%d", i))
		w.exec(`INSERT INTO role_assignment (institution_id, id, account_id, role_code, valid_from, reason)
			VALUES ($1, $2, $3, 'administrator', $4::date, 'test')`, w.inst, uuid.New(), id, yesterday)
		operatorIDs = append(operatorIDs, id)
	}

	// accountLink makes the event of a one-time link as the functions that
	// ask for one do (shared/links), to account of institution.
	accountLink := func(account, institution uuid.UUID, purpose links.Purpose) cloudevents.Event {
		var id int64
		err := db.PlatformTx(ctx, w.d.App, func(tx pgx.Tx) (err error) {
			id, err = links.Mailer{Outbox: outbox, PublicURL: publicURL, Source: authSource}.Mail(ctx, tx, account, institution, purpose, time.Hour)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var raw []byte
		if err := w.d.Owner.QueryRow(ctx, `SELECT event FROM outbox WHERE id = $1`, id).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var e cloudevents.Event
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	// requestEvent registers a request of applicant and takes it through
	// steps; the last step's event is the one sent.
	requestEvent := func(applicant uuid.UUID, steps ...requests.Action) cloudevents.Event {
		r, c := w.registeredRequest(applicant)
		for _, s := range steps {
			r, c = w.act(r.ID, s)
		}
		return w.requestEvent(r, c)
	}
	assign := requests.Action{Kind: requests.ActAssign, Assignee: w.clerk}
	answer := requests.File{Kind: requests.KindAnswer, Title: "Răspuns", Name: "raspuns.pdf", SHA256: strings.Repeat("c", 64),
		Size: 10, MediaType: "application/pdf", ObjectKey: "k"}

	// recipient is who an event of a kind is sent to in a language: the
	// account (with a phone, so that texts are sent where the kind sends
	// them) and where its mail goes.
	type recipient struct {
		account uuid.UUID
		email   string
	}
	// makers make an event of each kind for a recipient in locale.
	makers := map[string]func(locale string) (cloudevents.Event, []recipient){}
	citizen := func(locale string) recipient {
		email := mailtest.UniqueAddress("petent-" + locale)
		return recipient{w.account(email, "Ana Popescu", locale, "0722 111 222", "active"), email}
	}
	clerk := func(locale string) recipient {
		email := mailtest.UniqueAddress("clerk-" + locale)
		w.exec(`UPDATE account SET email = $2, locale = $3 WHERE id = $1`, w.clerk, email, locale)
		return recipient{w.clerk, email}
	}
	// The operators get a mailbox of their own for each notice.
	operatorsNow := func(string) []recipient {
		var out []recipient
		for _, id := range operatorIDs {
			email := mailtest.UniqueAddress("operator")
			w.exec(`UPDATE account SET email = $2 WHERE id = $1`, id, email)
			out = append(out, recipient{id, email})
		}
		return out
	}
	for typ, purpose := range map[string]links.Purpose{events.TypeAccountVerificationRequested: links.VerifyEmail,
		events.TypeAccountPasswordResetRequested: links.ResetPassword} {
		makers[typ] = func(locale string) (cloudevents.Event, []recipient) {
			to := citizen(locale)
			return accountLink(to.account, uuid.Nil, purpose), []recipient{to}
		}
	}
	makers[events.TypeAccountInvited] = func(locale string) (cloudevents.Event, []recipient) {
		to := recipient{uuid.New(), mailtest.UniqueAddress("invited-" + locale)}
		w.exec(`INSERT INTO account (id, kind, institution_id, email, display_name, locale) VALUES ($1, 'staff', $2, $3, 'Ion Nou', $4)`,
			to.account, w.inst, to.email, locale)
		return accountLink(to.account, w.inst, links.Invitation), []recipient{to}
	}
	for typ, steps := range map[string][]requests.Action{
		events.TypeRequestRegistered:    nil,
		events.TypeRequestInfoRequested: {{Kind: requests.ActAskInfo, Note: "Trimiteți actul de proprietate."}},
		events.TypeRequestExtended:      {{Kind: requests.ActExtend, Days: 15, Note: "Verificări pe teren."}},
		events.TypeRequestResolved:      {{Kind: requests.ActResolve, Note: "Certificatul este emis.", Files: []requests.File{answer}}},
		events.TypeRequestRejected:      {{Kind: requests.ActReject, Note: "Nu este de competența noastră."}},
		events.TypeRequestForwarded:     {{Kind: requests.ActForward, Destination: "Consiliul Județean Timiș", Note: "Drum județean."}},
		events.TypeRequestFiled:         {{Kind: requests.ActFile, Note: "Petiție anonimă."}},
		events.TypeRequestAssigned:      {assign},
	} {
		makers[typ] = func(locale string) (cloudevents.Event, []recipient) {
			to := citizen(locale)
			e := requestEvent(to.account, steps...)
			if typ == events.TypeRequestAssigned {
				return e, []recipient{clerk(locale)}
			}
			return e, []recipient{to}
		}
	}
	makers[events.TypeRequestDeadlineApproaching] = func(locale string) (cloudevents.Event, []recipient) {
		r, c := w.registeredRequest(citizen(locale).account)
		r, c = w.act(r.ID, assign)
		return w.newEvent(events.TypeRequestDeadlineApproaching, requestsSource, w.inst,
			requests.Data(r, c.ID, r.Status, time.Now(), uuid.Nil)), []recipient{clerk(locale)}
	}
	makers[events.TypeBackupFailed] = func(string) (cloudevents.Event, []recipient) {
		return w.newEvent(events.TypeBackupFailed, backupSource, uuid.Nil,
			map[string]any{"startedAt": "2026-11-24T00:00:05Z", "error": "pg_dump: connection refused"}), operatorsNow("")
	}
	makers[events.TypeBackupCompleted] = func(string) (cloudevents.Event, []recipient) {
		return w.newEvent(events.TypeBackupCompleted, backupSource, uuid.Nil, map[string]any{"backupId": "20261124T000005.123Z",
			"startedAt": "2026-11-24T00:00:05Z", "finishedAt": "2026-11-24T00:09:05Z", "dumpBytes": 1 << 30, "documents": 10,
			"documentBytes": 1 << 20, "damagedDocuments": 0, "verified": false, "verificationError": "row counts differ",
			"pruned": 1}), operatorsNow("")
	}
	makers[events.TypeFixityChecked] = func(string) (cloudevents.Event, []recipient) {
		return w.newEvent(events.TypeFixityChecked, backupSource, uuid.Nil, map[string]any{"run": 3, "runsPerCycle": 4,
			"checked": 1520, "bytes": 1 << 30, "mismatched": 1, "missing": 0, "unreadable": 0, "ok": false, "auditChains": 2,
			"auditBroken": 0}), operatorsNow("")
	}

	var sent []sentLink
	types := make([]string, 0, len(n.kinds))
	for typ := range n.kinds {
		types = append(types, typ)
	}
	slices.Sort(types)
	for _, typ := range types {
		k := n.kinds[typ]
		makeEvent, ok := makers[typ]
		if !ok {
			t.Errorf("notify handles %s and this test makes none: add it", typ)
			continue
		}
		locales := []string{"ro", "en"}
		if k.to == operators {
			locales = []string{""} // one event reaches the operators in both
		}
		for _, locale := range locales {
			e, to := makeEvent(locale)
			if status := n.post(e); status != http.StatusAccepted {
				t.Fatalf("%s: status %d\n%s", typ, status, n.logs.String())
			}
			kind := notificationKind(typ)
			audience := map[audience]string{accountHolder: "account holder", applicant: "applicant", assignee: "assignee",
				operators: "operator"}[k.to]
			add := func(channel, locale, link string) {
				page, ok := site.Match(link)
				if !ok {
					t.Errorf("%s to the %s (%s, %s) links to %s: no page of the web app", kind, audience, channel, locale, link)
					return
				}
				if (page == weblinks.Request || page == weblinks.StatusLookupAt) && !strings.Contains(link, "/"+w.inst.String()) {
					t.Errorf("%s to the %s (%s, %s) links to %s: not the request's institution %s", kind, audience, channel, locale, link, w.inst)
				}
				sent = append(sent, sentLink{Kind: kind, To: audience, Channel: channel, Locale: locale, Link: normalizeLink(link), Page: string(page)})
			}
			linksIn := func(channel, locale, text string, wantSome bool) {
				found := anyURL.FindAllString(text, -1)
				if wantSome && len(found) == 0 {
					t.Errorf("%s to the %s (%s, %s) has no link:\n%s", kind, audience, channel, locale, text)
				}
				for _, l := range found {
					add(channel, locale, html.UnescapeString(l))
				}
			}
			for _, r := range to {
				msgs := mp.MessagesTo(r.email)
				if len(msgs) != 1 {
					t.Fatalf("%s: %d mails to the %s, want 1\n%s", typ, len(msgs), audience, n.logs.String())
				}
				m := msgs[0]
				var locale string
				if err := w.d.Owner.QueryRow(ctx, `SELECT locale FROM account WHERE email = $1`, r.email).Scan(&locale); err != nil {
					t.Fatal(err)
				}
				linksIn("mail", locale, m.Text, true)
				linksIn("mail", locale, m.HTML, true)
				for _, a := range m.Attachments {
					pdf := mp.Part(m.ID, a.PartID)
					uris := pdfURI.FindAllSubmatch(pdf, -1)
					if len(uris) == 0 {
						t.Errorf("%s: the attached %s has no link", typ, a.FileName)
					}
					for _, u := range uris {
						add("receipt", locale, string(u[1]))
					}
				}
			}
			for _, text := range n.texts.all() {
				if sentFor(w, text.Key, e) {
					linksIn("sms", localeOf(w, text.Key), text.Text, true)
				}
			}
			for _, nt := range w.notifications(e) {
				var locale string
				if err := w.d.Owner.QueryRow(ctx, `SELECT locale FROM account WHERE id = $1`, nt.Account).Scan(&locale); err != nil {
					t.Fatal(err)
				}
				add("app", locale, nt.Link)
				linksIn("app", locale, nt.Body, false)
			}
			if k.inApp && len(w.notifications(e)) == 0 {
				t.Errorf("%s made no in-app notification", typ)
			}
		}
	}
	slices.SortFunc(sent, func(a, b sentLink) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	sent = slices.Compact(sent)
	got, err := json.MarshalIndent(sent, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *updateLinks {
		if err := os.WriteFile(linksFixture, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(linksFixture)
	if err != nil {
		t.Fatalf("%v: write it with -update-links", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: the links notify sends changed. Rewrite it with\n"+
			"  go test ./functions/notify -run TestEveryLinkSentOpensAPage -update-links\n"+
			"and check the web app resolves them (npx vitest run src/links). Sent now:\n%s", linksFixture, got)
	}
}

// normalizeLink is link on the site, without what changes from one run to
// the next: the path from the site's root, ids as the nil UUID's shape,
// query values as "x".
func normalizeLink(link string) string {
	u, err := url.Parse(strings.TrimPrefix(link, publicURL))
	if err != nil {
		return link
	}
	q := u.Query()
	for k := range q {
		q.Set(k, "x")
	}
	u.RawQuery = q.Encode()
	return anyUUID.ReplaceAllString(u.String(), "00000000-0000-0000-0000-000000000000")
}

func (r *textRecorder) all() []sms.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

// sentFor reports whether the text message of key ("ghiseu-message-<id>")
// was queued for event e.
func sentFor(w *world, key string, e cloudevents.Event) bool {
	var n int
	err := w.d.Owner.QueryRow(context.Background(), `SELECT count(*) FROM message
		WHERE 'ghiseu-message-' || id = $1 AND event_source = $2 AND event_id = $3`, key, e.Source(), e.ID()).Scan(&n)
	if err != nil {
		w.t.Fatal(err)
	}
	return n == 1
}

// localeOf is the language of the text message of key.
func localeOf(w *world, key string) string {
	var locale string
	err := w.d.Owner.QueryRow(context.Background(), `SELECT locale FROM message WHERE 'ghiseu-message-' || id = $1`, key).Scan(&locale)
	if err != nil {
		w.t.Fatal(err)
	}
	return locale
}
