package main

import (
	"log/slog"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/pii"
	"github.com/ghiseu/ghiseu/shared/throttle"
)

// Source is this function's CloudEvents source.
const Source = "/ghiseu/functions/auth"

type server struct {
	pool      *pgxpool.Pool
	outbox    *events.Outbox
	pii       *pii.Protector
	log       *slog.Logger
	publicURL string
	// failures answers repeated failures per account: slowed, then locked.
	// addressFailures answers them per IP, more leniently and never with a
	// lock: many people share an address behind NAT.
	failures        throttle.Policy
	addressFailures throttle.Policy
	// dummyHash is verified against when the account does not exist, so a
	// sign-in takes as long either way and timing tells nothing.
	dummyHash string
}

func newServer(pool *pgxpool.Pool, outbox *events.Outbox, p *pii.Protector, log *slog.Logger, publicURL string, failures throttle.Policy) *server {
	dummy, err := argon2id.CreateHash("not a password", institutions.HashParams())
	if err != nil {
		panic(err)
	}
	address := throttle.Policy{Free: failures.Free * 5, MaxDelay: time.Minute, Window: failures.Window}
	return &server{pool: pool, outbox: outbox, pii: p, log: log, publicURL: strings.TrimRight(publicURL, "/"),
		failures: failures, addressFailures: address, dummyHash: dummy}
}

func (s *server) routes(r *access.Router) {
	for _, rt := range []access.Route{
		{Pattern: "POST /api/auth/signup", Rule: access.Public(), Handler: s.signUp},
		{Pattern: "POST /api/auth/verify-email", Rule: access.Public(), Handler: s.verifyEmail},
		{Pattern: "POST /api/auth/signin", Rule: access.Public(), Handler: s.signIn},
		{Pattern: "POST /api/auth/signin/totp", Rule: access.SignedIn(), DuringSignIn: true, Handler: s.signInTOTP},
		{Pattern: "POST /api/auth/signout", Rule: access.SignedIn(), DuringSignIn: true, Handler: s.signOut},
		{Pattern: "POST /api/auth/password-reset", Rule: access.Public(), Handler: s.requestPasswordReset},
		{Pattern: "POST /api/auth/password-reset/confirm", Rule: access.Public(), Handler: s.confirmPasswordReset},
		{Pattern: "POST /api/auth/password", Rule: access.SignedIn(), Handler: s.changePassword},
		{Pattern: "GET /api/auth/me", Rule: access.SignedIn(), DuringSignIn: true, Handler: s.me},
		{Pattern: "GET /api/auth/me/cnp", Rule: access.CitizenOnly(), Handler: s.revealCNP},
		{Pattern: "GET /api/auth/sessions", Rule: access.SignedIn(), Handler: s.listSessions},
		{Pattern: "DELETE /api/auth/sessions/{session}", Rule: access.SignedIn(), Handler: s.revokeSession},
		{Pattern: "POST /api/auth/totp/setup", Rule: access.SignedIn(), DuringSignIn: true, Handler: s.setUpTOTP},
		{Pattern: "POST /api/auth/totp/enable", Rule: access.SignedIn(), DuringSignIn: true, Handler: s.enableTOTP},
		{Pattern: "POST /api/auth/token", Rule: access.Public(), Handler: s.machineToken},
		{Pattern: "GET /api/auth/me/export", Rule: access.CitizenOnly(), Handler: s.exportData},
		{Pattern: "POST /api/auth/me/close", Rule: access.CitizenOnly(), Handler: s.closeAccount},
	} {
		r.Handle(rt)
	}
}
