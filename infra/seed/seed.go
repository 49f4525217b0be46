// Package seed fills a local stack with a demo a developer can sign in to:
// the Municipality of Lugoj with its organisation chart, registers and the
// request types citizens may submit online, two institutions under it, one
// staff account per role and one verified citizen.
//
// Every row has a deterministic id (a name-based UUID), so a second run
// finds what the first one made and changes nothing; rows a developer
// edited since are left as they are.
package seed

import (
	"context"
	"fmt"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/nationalid"
	"github.com/ghiseu/ghiseu/shared/pii"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// Fiscal codes of the demo institutions. Lugoj's was given as 4358149,
// whose control digit does not check (the digits before it give 2); the
// two below are made up, with valid control digits.
const (
	LugojCIF  = "4358142"
	DASCIF    = "26258845"
	SPCLEPCIF = "14769137"
)

// The demo citizen: a verified person with a (made-up, valid) CNP.
const (
	CitizenEmail = "ioana.popescu@example.ro"
	citizenName  = "Ioana Popescu"
	citizenCNP   = "2900315351230"
)

// DemoTOTPSecret is the second factor (TOTP, RFC 6238: SHA-1, 6 digits,
// 30-second steps; base32) of the demo staff whom the platform's default
// asks for one: those holding an administrative permission. It is public
// on purpose, for the demo and its browser journeys only (devstack passes
// it to them as DEMO_TOTP_SECRET and prints it): a real administrator sets
// up their own secret at their first sign-in.
const DemoTOTPSecret = "GHISEUDEMOADMINSECRETLUGOJLUGOJA"

// namespace is the UUID namespace of the demo's ids.
func namespace() uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://ghiseu.ro/seed/demo"))
}

// InstitutionID is the id the demo gives the institution with cif.
func InstitutionID(cif string) uuid.UUID {
	return uuid.NewSHA1(namespace(), []byte("institution:"+cif))
}

// DepartmentID is the id the demo gives the department code of the
// institution with cif.
func DepartmentID(cif, code string) uuid.UUID {
	return uuid.NewSHA1(namespace(), []byte("department:"+cif+":"+code))
}

// AccountID is the id the demo gives the account with email.
func AccountID(email string) uuid.UUID {
	return uuid.NewSHA1(namespace(), []byte("account:"+email))
}

type institution struct {
	cif, parent   string // parent: the CIF of the institution above, or ""
	name, address string
	departments   []department // parents before their children
}

type department struct {
	code, parent, kind, name string // parent: a code, or "" for top level
}

// demoInstitutions is the demo's directory, parents first.
func demoInstitutions() []institution {
	return []institution{
		{cif: LugojCIF, name: "Primăria Municipiului Lugoj", address: "Piața Victoriei nr. 4, Lugoj, județul Timiș",
			departments: []department{
				{"CAB", "", "office", "Cabinetul Primarului"},
				{"DE", "", "direction", "Direcția Economică"},
				{"DE-BC", "DE", "service", "Serviciul Buget-Contabilitate"},
				{"DE-ITL", "DE", "service", "Serviciul Impozite și Taxe Locale"},
				{"DT", "", "direction", "Direcția Tehnică"},
				{"DT-UAT", "DT", "service", "Serviciul Urbanism și Amenajarea Teritoriului"},
				{"DT-INV", "DT", "compartment", "Compartimentul Investiții"},
				{"RRPA", "", "service", "Serviciul Registratură, Relații cu Publicul și Arhivă"},
				{"JUR", "", "compartment", "Compartimentul Juridic"},
				{"SC", "", "service", "Serviciul Stare Civilă"},
				{"RU", "", "service", "Serviciul Resurse Umane"},
				{"IT", "", "compartment", "Compartimentul Informatică"},
			}},
		{cif: DASCIF, parent: LugojCIF, name: "Direcția de Asistență Socială Lugoj", address: "Lugoj, județul Timiș",
			departments: []department{
				{"BAS", "", "service", "Serviciul Beneficii de Asistență Socială"},
				{"PCF", "", "compartment", "Compartimentul Protecția Copilului și Familiei"},
				{"PVD", "", "compartment", "Compartimentul Persoane Vârstnice și Persoane cu Dizabilități"},
				{"FC", "", "compartment", "Compartimentul Financiar-Contabil"},
			}},
		{cif: SPCLEPCIF, parent: LugojCIF, name: "Serviciul Public Local de Evidență a Persoanelor Lugoj", address: "Lugoj, județul Timiș",
			departments: []department{
				{"EP", "", "compartment", "Compartimentul Evidența Persoanelor"},
				{"IA", "", "compartment", "Compartimentul Informatică și Arhivă"},
				{"FCRU", "", "compartment", "Compartimentul Financiar-Contabil și Resurse Umane"},
			}},
	}
}

// Account is a demo staff account and the one role it holds.
type Account struct {
	Email, DisplayName string
	// Institution is the CIF of the institution it works for.
	Institution string
	Role        string
	// Department is the code of the department the role is limited to, or
	// "" for the whole institution.
	Department string
}

// Accounts lists the demo staff: one per role in Lugoj, and an
// administrator of each institution under it.
func Accounts() []Account {
	return []Account{
		{"admin@primarialugoj.ro", "Andrei Munteanu", LugojCIF, "administrator", ""},
		{"registratura@primarialugoj.ro", "Maria Ionescu", LugojCIF, "registrar", ""},
		{"urbanism@primarialugoj.ro", "Radu Stoica", LugojCIF, "clerk", "DT-UAT"},
		{"sef.urbanism@primarialugoj.ro", "Elena Dumitrescu", LugojCIF, "head_of_department", "DT-UAT"},
		{"primar@primarialugoj.ro", "Ion Vasilescu", LugojCIF, "signatory", ""},
		{"secretar@primarialugoj.ro", "Cristina Georgescu", LugojCIF, "secretary_general", ""},
		{"auditor@primarialugoj.ro", "Mihai Popa", LugojCIF, "auditor", ""},
		{"admin@daslugoj.ro", "Adriana Marin", DASCIF, "administrator", ""},
		{"admin@spcleplugoj.ro", "Dan Olteanu", SPCLEPCIF, "administrator", ""},
	}
}

// Demo seeds the demo in pool, in platform scope, in one transaction. It
// works as the application role, under row-level security. Every demo
// account (staff and citizen) signs in with password, which the caller
// chooses: the local stack generates one, keeps it with its other
// credentials and prints it. The password is set when an account is
// created; a later run with another password leaves it as it was.
// protector seals the citizen's CNP, as auth does.
func Demo(ctx context.Context, pool *pgxpool.Pool, protector *pii.Protector, password string) error {
	if password == "" {
		return fmt.Errorf("demo seed: no password for the demo accounts")
	}
	for _, inst := range demoInstitutions() {
		if _, err := nationalid.ParseCUI(inst.cif); err != nil {
			return fmt.Errorf("demo seed: CIF %s of %s: %w", inst.cif, inst.name, err)
		}
	}
	// One password for every account, so one hash (the costly part).
	hash, err := argon2id.CreateHash(password, institutions.HashParams())
	if err != nil {
		return fmt.Errorf("demo seed: hash password: %w", err)
	}
	citizen, err := sealedCitizen(protector)
	if err != nil {
		return err
	}
	err = db.PlatformTx(ctx, pool, func(tx pgx.Tx) error {
		created := 0
		for _, step := range []func(context.Context, pgx.Tx) (int, error){
			seedInstitutions,
			seedRegisters,
			seedRequestTypes,
			func(ctx context.Context, tx pgx.Tx) (int, error) { return seedStaff(ctx, tx, hash) },
			func(ctx context.Context, tx pgx.Tx) (int, error) { return seedSecondFactors(ctx, tx, protector) },
			func(ctx context.Context, tx pgx.Tx) (int, error) { return seedCitizen(ctx, tx, citizen, hash) },
		} {
			n, err := step(ctx, tx)
			if err != nil {
				return err
			}
			created += n
		}
		if created == 0 {
			return nil
		}
		_, err := audit.Append(ctx, tx, audit.Entry{ActorKind: audit.ActorSystem, Action: "seed.demo",
			New: map[string]int{"created": created}})
		return err
	})
	if err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	return nil
}

// created counts a row that was made now.
func created(r institutions.Result) int {
	if r == institutions.Created {
		return 1
	}
	return 0
}

func seedInstitutions(ctx context.Context, tx pgx.Tx) (int, error) {
	n := 0
	for _, inst := range demoInstitutions() {
		id, parent := InstitutionID(inst.cif), uuid.Nil
		if inst.parent != "" {
			parent = InstitutionID(inst.parent)
		}
		got, result, err := institutions.Create(ctx, tx, institutions.NewInstitution{ID: id, Parent: parent, CIF: inst.cif,
			Name: inst.name, Address: inst.address, TimeZone: "Europe/Bucharest"})
		if err != nil {
			return 0, err
		}
		// Conflicted only means it was edited since: keep the edits.
		if got.ID != id {
			return 0, fmt.Errorf("CIF %s already belongs to institution %s, not the demo's %s", inst.cif, got.ID, id)
		}
		n += created(result)
		for _, d := range inst.departments {
			want := DepartmentID(inst.cif, d.code)
			var parent *uuid.UUID
			if d.parent != "" {
				p := DepartmentID(inst.cif, d.parent)
				parent = &p
			}
			got, result, err := institutions.CreateDepartment(ctx, tx, institutions.NewDepartment{ID: want, Institution: id,
				Parent: parent, Kind: d.kind, Code: d.code, Name: d.name})
			if err != nil {
				return 0, fmt.Errorf("department %s of %s: %w", d.code, inst.cif, err)
			}
			if got.ID != want {
				return 0, fmt.Errorf("department code %s of %s already belongs to department %s", d.code, inst.cif, got.ID)
			}
			n += created(result)
		}
	}
	return n, nil
}

// RegisterID is the id the demo gives the register with code in the
// institution with cif.
func RegisterID(cif, code string) uuid.UUID {
	return uuid.NewSHA1(namespace(), []byte("register:"+cif+":"+code))
}

// demoRegisters are the registers of every demo institution; the local
// official gazette is Lugoj's only, kept by the registry office.
func demoRegisters(cif string) []registry.Register {
	regs := []registry.Register{
		{Code: "I", Name: "Registrul de intrare", Kind: "incoming"},
		{Code: "E", Name: "Registrul de ieșire", Kind: "outgoing"},
		{Code: "INT", Name: "Registrul documentelor interne", Kind: "internal"},
	}
	if cif == LugojCIF {
		regs = append(regs, registry.Register{Code: "MOL", Name: "Monitorul Oficial Local", Kind: "other",
			Description: "Actele administrative publicate în Monitorul Oficial Local (OUG 57/2019, art. 197)",
			Departments: []uuid.UUID{DepartmentID(LugojCIF, "RRPA")}})
	}
	for i := range regs {
		regs[i].Institution, regs[i].ID = InstitutionID(cif), RegisterID(cif, regs[i].Code)
	}
	return regs
}

func seedRegisters(ctx context.Context, tx pgx.Tx) (int, error) {
	n := 0
	for _, inst := range demoInstitutions() {
		for _, r := range demoRegisters(inst.cif) {
			// A register defined since (or edited) is kept as it is.
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM register WHERE institution_id = $1 AND code = $2)`,
				r.Institution, r.Code).Scan(&exists); err != nil {
				return 0, fmt.Errorf("register %s of %s: %w", r.Code, inst.cif, err)
			}
			if exists {
				continue
			}
			if err := registry.CreateRegister(ctx, tx, r); err != nil {
				return 0, fmt.Errorf("register %s of %s: %w", r.Code, inst.cif, err)
			}
			n++
		}
	}
	return n, nil
}

// demoRolesFrom is the day the demo's roles are valid from: fixed, so a
// rerun writes the same rows.
const demoRolesFrom = "2025-01-01"

func seedStaff(ctx context.Context, tx pgx.Tx, hash string) (int, error) {
	n := 0
	for _, a := range Accounts() {
		id, inst := AccountID(a.Email), InstitutionID(a.Institution)
		got, result, err := institutions.CreateStaff(ctx, tx, institutions.NewStaff{ID: id, Institution: inst, Email: a.Email,
			DisplayName: a.DisplayName, Locale: "ro", PasswordHash: hash, Verified: true})
		if err != nil {
			return 0, fmt.Errorf("staff account %s: %w", a.Email, err)
		}
		if got.ID != id {
			return 0, fmt.Errorf("staff account %s exists as %s, not the demo's %s", a.Email, got.ID, id)
		}
		n += created(result)
		var dept *uuid.UUID
		if a.Department != "" {
			d := DepartmentID(a.Institution, a.Department)
			dept = &d
		}
		assignment := uuid.NewSHA1(namespace(), []byte("role:"+a.Email+":"+a.Role+":"+a.Department))
		tag, err := tx.Exec(ctx, `
			INSERT INTO role_assignment (institution_id, id, account_id, role_code, department_id, valid_from, reason)
			VALUES ($1, $2, $3, $4, $5, $6, 'Cont demonstrativ (seed)')
			ON CONFLICT DO NOTHING`, inst, assignment, id, a.Role, dept, demoRolesFrom)
		if err != nil {
			return 0, fmt.Errorf("role %s of %s: %w", a.Role, a.Email, err)
		}
		n += int(tag.RowsAffected())
	}
	return n, nil
}

// seedSecondFactors sets DemoTOTPSecret up for every demo staff account
// the platform requires a second factor of (access.SecondFactorRequired:
// the default asks it of administrators) and that has none yet, as auth's
// TOTP enrolment would: sealed under auth's context, enabled.
func seedSecondFactors(ctx context.Context, tx pgx.Tx, protector *pii.Protector) (int, error) {
	n := 0
	for _, a := range Accounts() {
		id := AccountID(a.Email)
		required, err := access.SecondFactorRequired(ctx, tx, id)
		if err != nil {
			return 0, err
		}
		if !required {
			continue
		}
		sealed, err := protector.Seal([]byte(DemoTOTPSecret), "account.totp:"+id.String())
		if err != nil {
			return 0, fmt.Errorf("seal the second factor of %s: %w", a.Email, err)
		}
		tag, err := tx.Exec(ctx, `UPDATE account SET totp_secret_sealed = $2, totp_enabled_at = now(), updated_at = now()
			WHERE id = $1 AND totp_enabled_at IS NULL`, id, sealed)
		if err != nil {
			return 0, fmt.Errorf("second factor of %s: %w", a.Email, err)
		}
		n += int(tag.RowsAffected())
	}
	return n, nil
}

// citizenRow is the demo citizen's CNP as stored: sealed, indexed, masked.
type citizenRow struct {
	sealed, index []byte
	masked        string
}

func sealedCitizen(p *pii.Protector) (citizenRow, error) {
	cnp, err := nationalid.ParseCNP(citizenCNP)
	if err != nil {
		return citizenRow{}, fmt.Errorf("demo seed: citizen CNP: %w", err)
	}
	// The context is auth's for an account's CNP, so auth can open it.
	sealed, err := p.Seal([]byte(cnp.String()), "account.cnp:"+AccountID(CitizenEmail).String())
	if err != nil {
		return citizenRow{}, fmt.Errorf("demo seed: seal CNP: %w", err)
	}
	return citizenRow{sealed: sealed, index: p.Index("cnp", cnp.String()), masked: nationalid.MaskCNP(cnp.String())}, nil
}

// seedCitizen writes the citizen's account unless it is there. (Citizens'
// accounts are auth's; this is the demo's own row.)
func seedCitizen(ctx context.Context, tx pgx.Tx, c citizenRow, hash string) (int, error) {
	id := AccountID(CitizenEmail)
	tag, err := tx.Exec(ctx, `
		INSERT INTO account (id, kind, email, email_verified_at, display_name, cnp_sealed, cnp_index, cnp_masked, password_hash, locale)
		VALUES ($1, 'person', $2, now(), $3, $4, $5, $6, $7, 'ro')
		ON CONFLICT DO NOTHING`, id, CitizenEmail, citizenName, c.sealed, c.index, c.masked, hash)
	if err != nil {
		return 0, fmt.Errorf("citizen account: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return 1, nil
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM account WHERE id = $1)`, id).Scan(&exists); err != nil {
		return 0, fmt.Errorf("citizen account: %w", err)
	}
	if !exists {
		return 0, fmt.Errorf("citizen account: %s or its CNP belongs to another account", CitizenEmail)
	}
	return 0, nil
}
