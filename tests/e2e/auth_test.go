package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/nationalid"
	"github.com/ghiseu/ghiseu/shared/poll"
)

// newCNP makes a valid CNP, with the county code 70 that every CNP issued
// since May 2024 carries, different on every call.
func newCNP(t *testing.T) string {
	for range 1000 {
		born := time.Date(1950+rand.IntN(50), time.Month(1+rand.IntN(12)), 1+rand.IntN(28), 0, 0, 0, 0, time.UTC)
		prefix := fmt.Sprintf("%d%s70%03d", 1+rand.IntN(2), born.Format("060102"), 1+rand.IntN(999))
		for c := range 10 {
			if cnp := prefix + strconv.Itoa(c); func() bool { _, err := nationalid.ParseCNP(cnp); return err == nil }() {
				return cnp
			}
		}
	}
	t.Fatal("could not make a CNP")
	return ""
}

// authPlatform runs auth and notify with a short lock, so a lock's lifting
// can be seen within a test.
func authPlatform(t *testing.T) *platform {
	return startPlatform(t, "", map[string]string{"AUTH_LOCK_AFTER": "6", "AUTH_LOCK_FOR": "2s"}, "auth", "notify")
}

// signUpVerified creates a verified citizen account through the API and
// the mailed link, and returns a browser signed in to it.
func signUpVerified(t *testing.T, p *platform, mp *mailpit, email, password string) *apiClient {
	t.Helper()
	return signUpVerifiedAt(t, p.functions["auth"], mp, email, password)
}

// signUpVerifiedAt signs up through base (the auth function, or a gateway).
func signUpVerifiedAt(t *testing.T, base string, mp *mailpit, email, password string) *apiClient {
	t.Helper()
	c := newBrowser(t, base)
	c.do(http.MethodPost, "/api/auth/signup", map[string]string{"kind": "person", "email": email, "password": password,
		"displayName": "Ștefan Țăranu", "cnp": newCNP(t)}).want(t, http.StatusAccepted)
	token := mp.waitForLink(email, 1)
	c.do(http.MethodPost, "/api/auth/verify-email", map[string]string{"token": token}).want(t, http.StatusNoContent)
	c.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": password}).want(t, http.StatusOK)
	return c
}

func TestCitizenSignsUpVerifiesAndSignsIn(t *testing.T) {
	p := authPlatform(t)
	mp := newMailpit(t)
	c := newBrowser(t, p.functions["auth"])
	email, password, cnp := uniqueEmail("ana"), "o parolă lungă și bună", newCNP(t)

	t.Run("invalid input is refused per field", func(t *testing.T) {
		r := c.do(http.MethodPost, "/api/auth/signup", map[string]string{"kind": "person", "email": "not-an-address",
			"password": "short", "displayName": "Ana", "cnp": "1920822296091"}).want(t, http.StatusUnprocessableEntity)
		var prob struct {
			Errors []struct{ Field, Code, Message, MessageEn string } `json:"errors"`
		}
		r.json(t, &prob)
		fields := map[string]string{}
		for _, e := range prob.Errors {
			fields[e.Field] = e.Code
			if e.Message == "" || e.MessageEn == "" {
				t.Errorf("field %s: messages in both languages are required: %+v", e.Field, e)
			}
		}
		if fields["email"] == "" || fields["password"] == "" || fields["cnp"] != "cnp.checksum" {
			t.Fatalf("per-field errors = %v, want email, password and cnp.checksum", fields)
		}
	})

	first := c.do(http.MethodPost, "/api/auth/signup", map[string]string{"kind": "person", "email": email, "password": password,
		"displayName": "Ana Popescu", "cnp": cnp, "phone": "0722 123 456"}).want(t, http.StatusAccepted)

	t.Run("signing up again with the same address answers the same", func(t *testing.T) {
		again := c.do(http.MethodPost, "/api/auth/signup", map[string]string{"kind": "person", "email": email, "password": password,
			"displayName": "Someone Else", "cnp": newCNP(t)}).want(t, http.StatusAccepted)
		if string(again.body) != string(first.body) {
			t.Fatalf("answers differ: %s vs %s", first.body, again.body)
		}
	})

	t.Run("an unverified address cannot sign in", func(t *testing.T) {
		r := c.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": password}).want(t, http.StatusForbidden)
		if r.problemCode() != "email_not_verified" {
			t.Fatalf("code = %q", r.problemCode())
		}
	})

	token := mp.waitForLink(email, 1)
	c.do(http.MethodPost, "/api/auth/verify-email", map[string]string{"token": token}).want(t, http.StatusNoContent)
	if r := c.do(http.MethodPost, "/api/auth/verify-email", map[string]string{"token": token}); r.problemCode() != "invalid_token" {
		t.Fatalf("a used link worked again: %d %s", r.status, r.body)
	}

	signIn := c.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": password}).want(t, http.StatusOK)
	if !hasCookie(signIn.header, "ghiseu_session") {
		t.Fatalf("no session cookie: %v", signIn.header.Values("Set-Cookie"))
	}
	var me struct {
		Email, Kind string
		CNPMasked   string `json:"cnpMasked"`
	}
	c.do(http.MethodGet, "/api/auth/me", nil).want(t, http.StatusOK).json(t, &me)
	if me.Email != email || me.Kind != "person" || me.CNPMasked != nationalid.MaskCNP(cnp) {
		t.Fatalf("me = %+v", me)
	}

	t.Run("the CNP in clear is shown to its owner and the read audited", func(t *testing.T) {
		var got struct{ CNP string }
		c.do(http.MethodGet, "/api/auth/me/cnp", nil).want(t, http.StatusOK).json(t, &got)
		if got.CNP != cnp {
			t.Fatalf("cnp = %q", got.CNP)
		}
		var n int
		if err := p.db.Owner.QueryRow(context.Background(),
			`SELECT count(*) FROM audit_log a JOIN account ac ON ac.id = a.actor_id WHERE ac.email = $1 AND a.action = 'account.cnp.read'`,
			email).Scan(&n); err != nil || n != 1 {
			t.Fatalf("audited CNP reads = %d (%v), want 1", n, err)
		}
		var clear int
		if err := p.db.Owner.QueryRow(context.Background(),
			`SELECT count(*) FROM account WHERE position($1::bytea in coalesce(cnp_sealed, '')) > 0`, []byte(cnp)).Scan(&clear); err != nil || clear != 0 {
			t.Fatalf("the CNP is stored in clear (%d rows, %v)", clear, err)
		}
	})

	t.Run("a cross-site request with the cookie is refused", func(t *testing.T) {
		r := c.do(http.MethodPost, "/api/auth/signout", nil, "Sec-Fetch-Site", "cross-site").want(t, http.StatusForbidden)
		if r.problemCode() != "cross_site_request" {
			t.Fatalf("code = %q", r.problemCode())
		}
	})

	t.Run("password reset by mail signs out everywhere", func(t *testing.T) {
		c.do(http.MethodPost, "/api/auth/password-reset", map[string]string{"email": email}).want(t, http.StatusAccepted)
		token := mp.waitForLink(email, 2)
		newPassword := "altă parolă, tot lungă"
		c.do(http.MethodPost, "/api/auth/password-reset/confirm", map[string]string{"token": token, "password": newPassword}).
			want(t, http.StatusNoContent)
		c.do(http.MethodGet, "/api/auth/me", nil).want(t, http.StatusUnauthorized)
		c.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": password}).want(t, http.StatusUnauthorized)
		c.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": newPassword}).want(t, http.StatusOK)
	})
}

func TestSignInTellsNothingAboutAccounts(t *testing.T) {
	p := authPlatform(t)
	mp := newMailpit(t)
	email := uniqueEmail("ion")
	signUpVerified(t, p, mp, email, "parola lui Ion e lungă")
	c := newBrowser(t, p.functions["auth"])
	wrong := c.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": "greșită, dar lungă"})
	c.ip = "198.51.100.8"
	unknown := c.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": uniqueEmail("nimeni"), "password": "greșită, dar lungă"})
	if wrong.status != http.StatusUnauthorized || unknown.status != wrong.status || string(unknown.body) != string(wrong.body) {
		t.Fatalf("a wrong password answers %d %s, an unknown address %d %s", wrong.status, wrong.body, unknown.status, unknown.body)
	}
	resetKnown := c.do(http.MethodPost, "/api/auth/password-reset", map[string]string{"email": email})
	resetUnknown := c.do(http.MethodPost, "/api/auth/password-reset", map[string]string{"email": uniqueEmail("nimeni")})
	if resetKnown.status != http.StatusAccepted || string(resetKnown.body) != string(resetUnknown.body) {
		t.Fatalf("reset answers differ: %s vs %s", resetKnown.body, resetUnknown.body)
	}
}

// Brute force against one account is slowed, then locked, and the lock
// lifts; from one address against many accounts it is slowed down, without
// locking out the others who sign in correctly from that address.
func TestBruteForceIsSlowedThenLockedThenLifts(t *testing.T) {
	p := authPlatform(t)
	mp := newMailpit(t)
	email, password := uniqueEmail("maria"), "parola Mariei e lungă"
	signUpVerified(t, p, mp, email, password)

	t.Run("one account", func(t *testing.T) {
		attacker := newBrowser(t, p.functions["auth"])
		var statuses []int
		var retryAfter string
		// Three free failures, then each failure locks for longer, then the lock (6th failure, 2s).
		deadline := time.Now().Add(time.Minute)
		for failures := 0; failures < 6 && time.Now().Before(deadline); {
			r := attacker.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": "ghicesc " + strconv.Itoa(failures)})
			statuses = append(statuses, r.status)
			switch r.status {
			case http.StatusUnauthorized:
				failures++
			case http.StatusTooManyRequests:
				retryAfter = r.header.Get("Retry-After")
				poll.Until(t, 30*time.Second, "the slow-down to pass", func() bool {
					return attacker.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": "x"}).status != http.StatusTooManyRequests
				})
				failures++ // the probe above was one more failure
			default:
				t.Fatalf("unexpected %d: %s", r.status, r.body)
			}
		}
		if retryAfter == "" {
			t.Fatalf("never slowed down: %v", statuses)
		}
		// Locked now: even the right password is refused...
		locked := attacker.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": password})
		if locked.status != http.StatusTooManyRequests || locked.header.Get("Retry-After") == "" {
			t.Fatalf("after repeated failures: %d %s, want 429 with Retry-After", locked.status, locked.body)
		}
		// ...until the lock lifts.
		poll.Until(t, 30*time.Second, "the lock to lift", func() bool {
			return attacker.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": password}).status == http.StatusOK
		})
	})

	t.Run("one address against many accounts", func(t *testing.T) {
		attacker := newBrowser(t, p.functions["auth"])
		attacker.ip = "203.0.113.66"
		got429 := false
		for i := 0; i < 60 && !got429; i++ {
			r := attacker.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": uniqueEmail("victima"), "password": "ghicesc"})
			got429 = r.status == http.StatusTooManyRequests
		}
		if !got429 {
			t.Fatal("60 failures from one address against different accounts were never slowed")
		}
		// Another address is not affected.
		other := newBrowser(t, p.functions["auth"])
		other.ip = "203.0.113.67"
		other.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": password}).want(t, http.StatusOK)
	})

	// A whole office signs in from one address (NAT). Failures there
	// against other accounts slow the address down, never lock it, and a
	// colleague who signed in from the office before still signs in at
	// once; their own failures count against their account.
	t.Run("an office behind one address", func(t *testing.T) {
		const office = "203.0.113.80"
		colleague, colleaguePassword := uniqueEmail("ana"), "parola Anei e lungă"
		signUpVerified(t, p, mp, colleague, colleaguePassword)
		yesterday := newBrowser(t, p.functions["auth"])
		yesterday.ip = office
		yesterday.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": colleague, "password": colleaguePassword}).want(t, http.StatusOK)

		sprayer := newBrowser(t, p.functions["auth"])
		sprayer.ip = office
		slowed := 0
		for range 60 {
			r := sprayer.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": uniqueEmail("coleg"), "password": "Primavara2026!"})
			switch r.status {
			case http.StatusUnauthorized:
			case http.StatusTooManyRequests:
				slowed++
				if secs, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || secs > 60 {
					t.Fatalf("the office's address is held back %q seconds: a slowdown, not a lock, is at most a minute", r.header.Get("Retry-After"))
				}
			default:
				t.Fatalf("unexpected %d: %s", r.status, r.body)
			}
		}
		if slowed == 0 {
			t.Fatal("one password tried against 60 accounts from one address was never slowed down")
		}

		// The colleague, at the office's address while it is slowed down: signed in at once.
		poll.Until(t, 30*time.Second, "the office's address to be slowed down", func() bool {
			return sprayer.do(http.MethodPost, "/api/auth/signin",
				map[string]string{"email": uniqueEmail("coleg"), "password": "Primavara2026!"}).status == http.StatusTooManyRequests
		})
		today := newBrowser(t, p.functions["auth"])
		today.ip = office
		today.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": colleague, "password": colleaguePassword}).want(t, http.StatusOK)
		// A typo of theirs is a plain wrong password, counted on their account.
		today.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": colleague, "password": "parola Anei e lungă."}).want(t, http.StatusUnauthorized)
	})
}

// A revoked session is refused at once, by every function that has routes.
func TestRevokedSessionIsRefusedAtOnce(t *testing.T) {
	p := startPlatform(t, "", nil, httpFunctions()...)
	mp := newMailpit(t)
	email, password := uniqueEmail("vasile"), "parola lui Vasile e lungă"
	signUpVerified(t, p, mp, email, password)

	tokens := make([]string, 2)
	for i := range tokens {
		var res struct{ Token string }
		newBrowser(t, p.functions["auth"]).do(http.MethodPost, "/api/auth/signin",
			map[string]string{"email": email, "password": password, "session": "api"}).want(t, http.StatusOK).json(t, &res)
		tokens[i] = res.Token
	}
	a := &apiClient{t: t, base: p.functions["auth"], http: http.DefaultClient, bearer: tokens[0]}
	b := &apiClient{t: t, base: p.functions["auth"], http: http.DefaultClient, bearer: tokens[1]}
	b.do(http.MethodGet, "/api/auth/me", nil).want(t, http.StatusOK)

	// B's own list marks its session as the current one.
	var list struct {
		Sessions []struct {
			ID      string
			Current bool
		}
	}
	b.do(http.MethodGet, "/api/auth/sessions", nil).want(t, http.StatusOK).json(t, &list)
	var other string
	for _, s := range list.Sessions {
		if s.Current {
			other = s.ID
		}
	}
	if len(list.Sessions) < 3 || other == "" {
		t.Fatalf("sessions = %+v, want the sign-up's and both API sessions", list.Sessions)
	}
	for _, fn := range httpFunctions() {
		if _, ok := guardedRoutes(uuid.Nil)[fn]; !ok {
			t.Fatalf("function %s has no guarded route to probe: add one to guardedRoutes", fn)
		}
	}
	// Before: every function takes B's session (whatever it then allows).
	for fn, path := range guardedRoutes(uuid.New()) {
		b.base = p.functions[fn]
		if r := b.do(http.MethodGet, path, nil); r.status == http.StatusUnauthorized {
			t.Fatalf("%s refused a live session: %s", fn, r.body)
		}
	}
	a.do(http.MethodDelete, "/api/auth/sessions/"+other, nil).want(t, http.StatusNoContent)
	// After: every function refuses it at once.
	for fn, path := range guardedRoutes(uuid.New()) {
		b.base = p.functions[fn]
		b.do(http.MethodGet, path, nil).want(t, http.StatusUnauthorized)
	}
	b.base = p.functions["auth"]
	a.do(http.MethodGet, "/api/auth/me", nil).want(t, http.StatusOK)

	t.Run("another account's session cannot be revoked", func(t *testing.T) {
		mallory := signUpVerified(t, p, mp, uniqueEmail("mallory"), "parola lui Mallory e lungă")
		var mine struct{ Sessions []struct{ ID string } }
		a.do(http.MethodGet, "/api/auth/sessions", nil).want(t, http.StatusOK).json(t, &mine)
		mallory.do(http.MethodDelete, "/api/auth/sessions/"+mine.Sessions[0].ID, nil).want(t, http.StatusNotFound)
		a.do(http.MethodGet, "/api/auth/me", nil).want(t, http.StatusOK)
	})
}

// guardedRoutes names, for every function with HTTP routes, a GET route
// that needs a session.
func guardedRoutes(institution uuid.UUID) map[string]string {
	return map[string]string{
		"auth":              "/api/auth/me",
		"assign-role":       "/api/institutions/" + institution.String() + "/role-assignments",
		"audit-trail":       "/api/institutions/" + institution.String() + "/audit",
		"institutions":      "/api/institutions/" + institution.String() + "/staff",
		"register-document": "/api/institutions/" + institution.String() + "/registers",
		"filing-plan":       "/api/institutions/" + institution.String() + "/filing-plan",
		"submit-request":    "/api/me/requests",
		"handle-request":    "/api/institutions/" + institution.String() + "/requests",
		"nightly-backup":    "/api/institutions/" + institution.String() + "/backups",
		"notify":            "/api/me/notifications",
		"request-types":     "/api/institutions/" + institution.String() + "/request-types/" + uuid.Nil.String() + "/versions",
	}
}
