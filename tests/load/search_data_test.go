package load_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

// searchData is a database holding an institution's registry as search
// sees it after years of use, and a second institution whose entries must
// never show.
type searchData struct {
	d *dbtest.DB
	// inst holds n entries; other holds a hundredth of that, alike.
	inst, other uuid.UUID
	// registers of inst: incoming, outgoing, internal and one of kind other
	// (the local council's decisions), in that order.
	registers [4]uuid.UUID
	// registrars of inst, who registered its entries in turn.
	registrars [5]uuid.UUID
	n          int
	// The entries' registration times run evenly over [first, last).
	first, last time.Time
}

// newSearchData creates a database and fills it with n entries for one
// institution, as described at searchEntriesSQL, then vacuums and analyses
// the table as autovacuum would have on a live system.
func newSearchData(tb testing.TB, n int) searchData {
	tb.Helper()
	ctx := context.Background()
	s := searchData{
		d: dbtest.New(tb), inst: uuid.New(), other: uuid.New(), n: n,
		first: time.Date(2020, 1, 6, 8, 0, 0, 0, time.UTC), last: time.Date(2026, 6, 30, 14, 0, 0, 0, time.UTC),
	}
	for i := range s.registers {
		s.registers[i] = uuid.New()
	}
	for i := range s.registrars {
		s.registrars[i] = uuid.New()
	}
	otherRegisters := [4]uuid.UUID{uuid.New(), uuid.New(), uuid.New(), uuid.New()}
	otherRegistrar := uuid.New()

	started := time.Now()
	err := db.PlatformTx(ctx, s.d.Owner, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO institution (id, cif, name) VALUES ($1, '4358142', 'Primăria Municipiului Lugoj'), ($2, '26258845', 'Direcția de Asistență Socială Lugoj')`,
			s.inst, s.other); err != nil {
			return fmt.Errorf("institutions: %w", err)
		}
		for i, id := range s.registrars {
			if _, err := tx.Exec(ctx, `INSERT INTO account (id, kind, institution_id, email, display_name) VALUES ($1, 'staff', $2, $3, $4)`,
				id, s.inst, fmt.Sprintf("registratura%d@primarialugoj.ro", i+1), fmt.Sprintf("Registrator %d", i+1)); err != nil {
				return fmt.Errorf("registrars: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO account (id, kind, institution_id, email, display_name) VALUES ($1, 'staff', $2, 'registratura@daslugoj.ro', 'Registrator DAS')`,
			otherRegistrar, s.other); err != nil {
			return fmt.Errorf("registrars: %w", err)
		}
		for _, inst := range []struct {
			id   uuid.UUID
			regs [4]uuid.UUID
		}{{s.inst, s.registers}, {s.other, otherRegisters}} {
			if _, err := tx.Exec(ctx, `INSERT INTO register (institution_id, id, code, name, kind) VALUES
				($1, $2, 'I', 'Registrul de intrări', 'incoming'), ($1, $3, 'E', 'Registrul de ieșiri', 'outgoing'),
				($1, $4, 'INT', 'Registrul documentelor interne', 'internal'), ($1, $5, 'HCL', 'Registrul hotărârilor consiliului local', 'other')`,
				inst.id, inst.regs[0], inst.regs[1], inst.regs[2], inst.regs[3]); err != nil {
				return fmt.Errorf("registers: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}

	// Two statements at a time (the test machine has two cores), split by
	// register so that each numbers whole register-years.
	g, gctx := errgroup.WithContext(ctx)
	fill := func(inst uuid.UUID, regs [4]uuid.UUID, registrars []uuid.UUID, n int, kinds []int) {
		g.Go(func() error {
			return db.PlatformTx(gctx, s.d.Owner, func(tx pgx.Tx) error {
				_, err := tx.Exec(gctx, searchEntriesSQL, inst, regs[:], registrars, n, s.first, s.last, kinds)
				if err != nil {
					return fmt.Errorf("generate %d entries of registers %v: %w", n, kinds, err)
				}
				return nil
			})
		})
	}
	fill(s.inst, s.registers, s.registrars[:], n, []int{0})
	fill(s.inst, s.registers, s.registrars[:], n, []int{1, 2, 3})
	fill(s.other, otherRegisters, []uuid.UUID{otherRegistrar}, max(n/100, 100), []int{0, 1, 2, 3})
	if err := g.Wait(); err != nil {
		tb.Fatal(err)
	}
	err = db.PlatformTx(ctx, s.d.Owner, func(tx pgx.Tx) error {
		// The counters where the entries left them, as registrations would.
		_, err := tx.Exec(ctx, `INSERT INTO register_counter (institution_id, register_id, year, last_number)
			SELECT institution_id, register_id, year, max(number) FROM registry_entry GROUP BY 1, 2, 3`)
		return err
	})
	if err != nil {
		tb.Fatalf("counters: %v", err)
	}
	if _, err := s.d.Owner.Exec(ctx, `VACUUM (ANALYZE) registry_entry`); err != nil {
		tb.Fatalf("vacuum: %v", err)
	}
	tb.Logf("generated %d entries (+%d in another institution) in %s", n, max(n/100, 100), time.Since(started).Round(time.Second))
	return s
}

// searchEntriesSQL inserts $4 entries of institution $1 registered evenly
// from $5 to $6, keeping those of the registers $2[k+1] for k in $7 (0
// incoming 55%, 1 outgoing 30%, 2 internal 12%, 3 council decisions 3%),
// numbered from 1 per register and year in Bucharest, registered in turn by
// the accounts $3.
//
// Everything is derived from the entry's ordinal i through hashint8, so a
// run is repeatable: 24 subjects of a Romanian town hall (a sixth with a
// street, some with "strada Ștefan cel Mare"), 24 first names and 32
// surnames with their diacritics, companies for a tenth of the citizens,
// eight departments; 5% confidential and 15% internal, 0.5% annulled; one
// in ten with the text of an attached document; the rare words
// "expropriere" (one in 20,011) and "arheologică" (one in 50,021).
const searchEntriesSQL = `
INSERT INTO registry_entry (institution_id, register_id, year, number, id, registered_at, direction, channel,
  sender, recipient, subject, pages, attachments, confidentiality, registered_by, annulled_at, annulled_by, annul_reason,
  verification_code, content_search)
SELECT $1::uuid, reg, year, row_number() OVER (PARTITION BY reg, year ORDER BY at), id, at, direction, channel,
  sender, recipient, subject, pages, attachments, confidentiality, registered_by,
  CASE WHEN annulled THEN at + interval '2 hours' END, CASE WHEN annulled THEN registered_by END,
  CASE WHEN annulled THEN 'Înregistrare greșită: document înregistrat de două ori' END,
  upper(substr(md5(id::text), 1, 10)),
  CASE WHEN has_document THEN ghiseu_search_vector(subject || '. ' || body) ELSE ''::tsvector END
FROM (
  SELECT g.*,
    extract(year FROM at AT TIME ZONE 'Europe/Bucharest')::int AS year,
    ($2::uuid[])[1 + kind] AS reg,
    (ARRAY['incoming', 'outgoing', 'internal', 'internal'])[1 + kind] AS direction,
    CASE kind WHEN 0 THEN (ARRAY['counter', 'portal', 'email', 'post'])[1 + h2 % 4]
              WHEN 1 THEN (ARRAY['post', 'email'])[1 + h2 % 2] ELSE 'internal' END AS channel,
    CASE kind WHEN 0 THEN person ELSE department END AS sender,
    CASE kind WHEN 1 THEN person WHEN 0 THEN department ELSE office END AS recipient,
    CASE WHEN h4 % 100 < 5 THEN 'confidential' WHEN h4 % 100 < 20 THEN 'internal' ELSE 'public' END AS confidentiality,
    ($3::uuid[])[1 + (h4 / 100) % cardinality($3::uuid[])] AS registered_by,
    (h4 / 10000) % 200 = 0 AS annulled,
    (h3 / 1000) % 10 = 0 AS has_document,
    1 + (h2 / 7) % 40 AS pages, (h2 / 11) % 5 AS attachments
  FROM (
    SELECT i, id, at, h2, h3, h4,
      CASE WHEN h1 % 100 < 55 THEN 0 WHEN h1 % 100 < 85 THEN 1 WHEN h1 % 100 < 97 THEN 2 ELSE 3 END AS kind,
      CASE WHEN h2 % 10 = 0
        THEN 'SC ' || (ARRAY['Construcții Banat', 'Agrotim', 'Lugojana Prod', 'Transport Bega', 'Ștefănescu Impex',
                             'Apă Canal Timiș', 'Electrică Vest', 'Pădurea Verde'])[1 + (h2 / 10) % 8] || ' SRL'
        ELSE (ARRAY['Ștefan', 'Ionuț', 'Mădălina', 'Răzvan', 'Cătălin', 'Ștefania', 'Gheorghiță', 'Bogdan', 'Andreea',
                    'Elena', 'Ioana', 'Mihai', 'Alexandru', 'Cristina', 'Florin', 'Adriana', 'Tudor', 'Irina', 'Vlad',
                    'Oana', 'Sorin', 'Loredana', 'Dănuț', 'Aurelia'])[1 + (h2 / 10) % 24]
          || ' ' || (ARRAY['Popescu', 'Ionescu', 'Popa', 'Pop', 'Mureșan', 'Stoica', 'Șerban', 'Țurcanu', 'Bălan',
                           'Dumitrescu', 'Stănescu', 'Ardeleanu', 'Lupșa', 'Căpraru', 'Vlădescu', 'Moldovan', 'Oprea',
                           'Rusu', 'Cozma', 'Mocanu', 'Nistor', 'Sârbu', 'Toma', 'Ungureanu', 'Brânzei', 'Florea',
                           'Ghiță', 'Iancu', 'Jurcă', 'Lazăr', 'Neagu', 'Păun'])[1 + (h2 / 240) % 32]
      END AS person,
      (ARRAY['Direcția Urbanism și Amenajarea Teritoriului', 'Serviciul Impozite și Taxe Locale',
             'Direcția de Asistență Socială', 'Serviciul Stare Civilă', 'Compartimentul Juridic', 'Direcția Tehnică',
             'Serviciul Resurse Umane', 'Poliția Locală'])[1 + h3 % 8] AS department,
      (ARRAY['Direcția Economică', 'Secretarul General', 'Cabinetul Primarului',
             'Serviciul Achiziții Publice'])[1 + (h3 / 8) % 4] AS office,
      (ARRAY['Cerere pentru eliberarea certificatului de urbanism', 'Cerere de eliberare a autorizației de construire',
             'Solicitare de informații publice conform Legii 544/2001', 'Petiție privind iluminatul public',
             'Sesizare privind starea drumului', 'Cerere pentru adeverință de rol fiscal',
             'Contestație la procesul-verbal de contravenție', 'Notificare privind încetarea contractului de închiriere',
             'Răspuns la cererea dumneavoastră', 'Cerere de ajutor social', 'Cerere pentru certificat de atestare fiscală',
             'Reclamație privind zgomotul', 'Solicitare de racordare la rețeaua de canalizare',
             'Adresă privind transmiterea documentelor', 'Referat de necesitate pentru achiziția de birotică',
             'Dispoziție privind constituirea comisiei', 'Cerere de înscriere în registrul agricol',
             'Declarație de impunere pentru clădiri', 'Cerere privind scutirea de la plata impozitului',
             'Solicitare aviz de liberă trecere', 'Invitație la ședința comisiei de specialitate',
             'Cererea de transcriere a certificatului de naștere', 'Raport de activitate trimestrial',
             'Hotărârea privind aprobarea bugetului local'])[1 + (h3 / 32) % 24]
        || CASE (h3 / 768) % 6
             WHEN 0 THEN ' — strada Ștefan cel Mare nr. ' || 1 + (h3 / 4608) % 120
             WHEN 1 THEN ' — strada Timișoarei nr. ' || 1 + (h3 / 4608) % 80
             WHEN 2 THEN ' — bulevardul Republicii nr. ' || 1 + (h3 / 4608) % 60
             WHEN 3 THEN ' — strada Făgetului nr. ' || 1 + (h3 / 4608) % 90
             ELSE '' END
        || CASE WHEN i % 20011 = 7 THEN ', expropriere pentru cauză de utilitate publică'
                WHEN i % 50021 = 11 THEN ', descărcare de sarcină arheologică'
                ELSE '' END AS subject,
      'Subsemnatul solicit prin prezenta analizarea documentației anexate. Vă rog să dispuneți verificarea în teren '
        || 'și comunicarea răspunsului în termenul legal. '
        || (ARRAY['Anexez copia actului de identitate, extrasul de carte funciară și planul de situație.',
                  'Menționez că am achitat taxa aferentă la casieria primăriei.',
                  'Precizez că imobilul se află în intravilanul municipiului Lugoj.',
                  'Documentația a fost întocmită de un proiectant autorizat.'])[1 + (h4 / 7) % 4] AS body
    FROM (
      SELECT i, $5::timestamptz + (i - 1) * (($6::timestamptz - $5::timestamptz) / $4::int) AS at,
        -- A version 4 layout from the hash of institution and ordinal: repeatable.
        overlay(overlay(md5('entry' || $1::text || i) placing '4' from 13) placing '8' from 17)::uuid AS id,
        abs(hashint8(i)) AS h1, abs(hashint8(i + 1000000007)) AS h2,
        abs(hashint8(i + 2000000014)) AS h3, abs(hashint8(i + 3000000021)) AS h4
      FROM generate_series(1, $4::int) i
    ) g0
  ) g
  WHERE kind = ANY ($7::int[])
) x`
