// Package access decides who a request comes from and what it may do, in
// one place for every route of every function: it authenticates the
// session, checks the route's rule, and hands the handler the database
// scope that row-level security enforces underneath.
package access

import (
	"context"
	"slices"

	"github.com/google/uuid"
)

// Kind is what an account is.
type Kind string

// Account kinds.
const (
	Person  Kind = "person"  // a citizen, identified by CNP
	Company Kind = "company" // a legal person, identified by CUI
	Staff   Kind = "staff"   // works for an institution
	Machine Kind = "machine" // an institution's system
)

// Citizen reports whether k is a citizen's account (a person or a company).
func (k Kind) Citizen() bool { return k == Person || k == Company }

// Grant is one active role assignment with its permissions.
type Grant struct {
	Institution uuid.UUID
	// Department limits the grant to one department; uuid.Nil means the
	// whole institution.
	Department  uuid.UUID
	Role        string
	Permissions []string
	// TopLevel: the institution is under no other. The platform's
	// operators are those who hold operators' permissions (backup.manage)
	// in such an institution, for the whole institution (see Operators).
	TopLevel bool
}

// Principal is the authenticated caller.
type Principal struct {
	Account uuid.UUID
	Kind    Kind
	// Institution is a staff member's or machine client's own institution.
	Institution uuid.UUID
	Session     uuid.UUID
	SessionKind string
	// MFAPending: signed in with the password, the second factor not yet given.
	MFAPending bool
	// MFAMissing: a second factor is required of the account (its
	// institution asks it of all staff, or it holds an administrative
	// permission: SecondFactorRequired) and it has not set one up.
	MFAMissing bool
	Grants     []Grant
}

// Can reports whether p holds perm in institution (through any grant there,
// whole-institution or departmental).
func (p *Principal) Can(perm string, institution uuid.UUID) bool {
	for _, g := range p.Grants {
		if g.Institution == institution && slices.Contains(g.Permissions, perm) {
			return true
		}
	}
	return false
}

// CanOperate reports whether p is one of the platform's operators for
// perm, acting for institution: it holds perm there through a
// whole-institution grant, and the institution is a top-level one. What
// belongs to the whole platform (its backups, the fixity of its storage)
// is theirs, not a subordinate institution's administrator's.
func (p *Principal) CanOperate(perm string, institution uuid.UUID) bool {
	for _, g := range p.Grants {
		if g.Institution == institution && g.TopLevel && g.Department == uuid.Nil && slices.Contains(g.Permissions, perm) {
			return true
		}
	}
	return false
}

// CanInDepartment reports whether p holds perm for the department: through
// a whole-institution grant or one for that department.
func (p *Principal) CanInDepartment(perm string, institution, department uuid.UUID) bool {
	for _, g := range p.Grants {
		if g.Institution == institution && (g.Department == uuid.Nil || g.Department == department) &&
			slices.Contains(g.Permissions, perm) {
			return true
		}
	}
	return false
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext is the caller of the request ctx belongs to, or nil for an
// anonymous one.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
