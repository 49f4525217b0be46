package access

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/db"
)

// A Rule decides whether the principal (nil when anonymous) may call a
// route, and with what database scope the handler then runs.
type Rule struct {
	name  string
	check func(p *Principal, r *http.Request) (db.Scope, error)
	// anonymousOK: a stale session is no reason to refuse; the caller is
	// taken as anonymous (a browser with an expired cookie can still sign in).
	anonymousOK bool
}

// Name says what the rule allows, for logs and tests.
func (r Rule) Name() string { return r.name }

// Refusals. The router turns them into 401, 403 and 404 problems.
var (
	ErrUnauthenticated = errors.New("authentication required")
	ErrForbidden       = errors.New("not allowed")
	ErrNotFound        = errors.New("not found")
)

// Public allows anyone. A signed-in caller still acts as itself.
func Public() Rule {
	return Rule{name: "public", anonymousOK: true, check: func(p *Principal, _ *http.Request) (db.Scope, error) {
		if p == nil {
			return db.Scope{}, nil
		}
		return ownScope(p), nil
	}}
}

// SignedIn allows any signed-in account, acting for itself: row-level
// security then shows it its own rows only.
func SignedIn() Rule {
	return Rule{name: "signed in", check: func(p *Principal, _ *http.Request) (db.Scope, error) {
		if p == nil {
			return db.Scope{}, ErrUnauthenticated
		}
		return ownScope(p), nil
	}}
}

// CitizenOnly allows citizens (persons and companies), acting for themselves.
func CitizenOnly() Rule {
	return Rule{name: "citizen", check: func(p *Principal, _ *http.Request) (db.Scope, error) {
		switch {
		case p == nil:
			return db.Scope{}, ErrUnauthenticated
		case !p.Kind.Citizen():
			return db.Scope{}, ErrForbidden
		}
		return db.Scope{Account: p.Account}, nil
	}}
}

// InstitutionOf finds the institution a request is about.
type InstitutionOf func(r *http.Request) (uuid.UUID, error)

// PathInstitution takes the institution from a path wildcard; a malformed
// id is a 404, like an unknown one.
func PathInstitution(wildcard string) InstitutionOf {
	return func(r *http.Request) (uuid.UUID, error) {
		id, err := uuid.Parse(r.PathValue(wildcard))
		if err != nil {
			return uuid.Nil, fmt.Errorf("%w: institution %q", ErrNotFound, r.PathValue(wildcard))
		}
		return id, nil
	}
}

// Permission allows staff and machine clients holding perm in the
// institution the request is about, acting for that institution.
func Permission(perm string, of InstitutionOf) Rule {
	return Rule{name: "permission " + perm, check: func(p *Principal, r *http.Request) (db.Scope, error) {
		if p == nil {
			return db.Scope{}, ErrUnauthenticated
		}
		inst, err := of(r)
		if err != nil {
			return db.Scope{}, err
		}
		if !p.Can(perm, inst) {
			return db.Scope{}, ErrForbidden
		}
		return db.Scope{Institution: inst, Account: p.Account}, nil
	}}
}

// AnyPermission allows staff and machine clients holding any of perms in
// the institution the request is about; the handler tells them apart (a
// registrar may annul only their own recent entry, a holder of
// registry.annul any entry).
func AnyPermission(of InstitutionOf, perms ...string) Rule {
	return Rule{name: "any permission of " + strings.Join(perms, ", "), check: func(p *Principal, r *http.Request) (db.Scope, error) {
		if p == nil {
			return db.Scope{}, ErrUnauthenticated
		}
		inst, err := of(r)
		if err != nil {
			return db.Scope{}, err
		}
		for _, perm := range perms {
			if p.Can(perm, inst) {
				return db.Scope{Institution: inst, Account: p.Account}, nil
			}
		}
		return db.Scope{}, ErrForbidden
	}}
}

// Operator allows the platform's operators (see Principal.CanOperate):
// staff holding perm for the whole of a top-level institution, acting for
// it. A subordinate institution's administrator holds every permission of
// its own institution, but not the platform's.
func Operator(perm string, of InstitutionOf) Rule {
	return Rule{name: "operator " + perm, check: func(p *Principal, r *http.Request) (db.Scope, error) {
		if p == nil {
			return db.Scope{}, ErrUnauthenticated
		}
		inst, err := of(r)
		if err != nil {
			return db.Scope{}, err
		}
		if !p.CanOperate(perm, inst) {
			return db.Scope{}, ErrForbidden
		}
		return db.Scope{Institution: inst, Account: p.Account}, nil
	}}
}

// PermissionOrCitizen allows what Permission(perm, of) allows, and also
// citizens, acting for themselves: row-level security then shows a citizen
// only the rows that concern it (its own registry entries, say), so what it
// may not see is not found.
func PermissionOrCitizen(perm string, of InstitutionOf) Rule {
	staff := Permission(perm, of)
	return Rule{name: "permission " + perm + " or citizen", check: func(p *Principal, r *http.Request) (db.Scope, error) {
		if p != nil && p.Kind.Citizen() {
			if _, err := of(r); err != nil {
				return db.Scope{}, err
			}
			return db.Scope{Account: p.Account}, nil
		}
		return staff.check(p, r)
	}}
}

func ownScope(p *Principal) db.Scope {
	return db.Scope{Institution: p.Institution, Account: p.Account}
}
