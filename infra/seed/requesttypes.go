package seed

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/forms"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

// requestForms are the forms of Lugoj's request types, one JSON Schema per
// type code (package forms). The forms package tests them too.
//
//go:embed requesttypes/*.json
var requestForms embed.FS

// RequestTypeID is the id the demo gives the request type code of the
// institution with cif.
func RequestTypeID(cif, code string) uuid.UUID {
	return uuid.NewSHA1(namespace(), []byte("request-type:"+cif+":"+code))
}

// requestType is a demo request type: its first version, published.
type requestType struct {
	code, name, description string
	department              string // its code in the organisation chart
	regime                  string
	customDays              int
	workingDays             bool
	verifiedIdentity        bool
	attachments             []requesttypes.Attachment
}

const mib = 1 << 20

// lugojRequestTypes are what the demo's citizens may ask Lugoj online,
// each registered in the general register (I) and handled by the
// department the municipality's rules give it.
func lugojRequestTypes() []requestType {
	images := []string{documents.TypePDF, documents.TypeJPEG, documents.TypePNG}
	return []requestType{
		{code: "petitie", name: "Petiție (sesizare, reclamație, propunere)",
			description: "Cereri, sesizări, reclamații și propuneri adresate Primăriei Municipiului Lugoj (Ordonanța Guvernului nr. 27/2002). " +
				"Răspunsul se comunică în cel mult 30 de zile de la înregistrare; termenul poate fi prelungit o singură dată, cu cel mult 15 zile. " +
				"Petițiile anonime sau fără datele de identificare ale petentului nu se iau în considerare.",
			department: "RRPA", regime: requesttypes.Petition,
			// OG 27/2002 asks for the petitioner's identification data (name,
			// address), which the form takes: no verified CNP is needed.
			verifiedIdentity: false,
			attachments:      []requesttypes.Attachment{{Kind: "anexe", Title: "Anexe (fotografii, documente)", MediaTypes: images, MaxSize: 10 * mib}}},
		{code: "informatii-publice", name: "Cerere de informații de interes public",
			description: "Solicitare de informații de interes public (Legea nr. 544/2001). Răspunsul se comunică în 10 zile; " +
				"dacă informațiile cer o documentare mai lungă, sunteți anunțat în 10 zile, iar răspunsul vine în cel mult 30 de zile. " +
				"Un refuz motivat se comunică în 5 zile.",
			department: "RRPA", regime: requesttypes.PublicInformation, verifiedIdentity: true},
		{code: "certificat-urbanism", name: "Certificat de urbanism",
			description: "Cerere pentru emiterea certificatului de urbanism (Legea nr. 50/1991 privind autorizarea executării lucrărilor de construcții). " +
				"Atașați planul de situație și extrasul de carte funciară pentru informare, actualizat. " +
				"Certificatul se emite în cel mult 30 de zile de la înregistrarea cererii.",
			// Law 50/1991 (republished), art. 6^1 alin. (1): the certificate
			// is issued within at most 30 days of the request's registration.
			department: "DT-UAT", regime: requesttypes.Custom, customDays: 30, verifiedIdentity: true,
			attachments: []requesttypes.Attachment{
				{Kind: "plan-situatie", Title: "Plan de situație (plan topografic sau cadastral)", Required: true,
					MediaTypes: []string{documents.TypePDF}, MaxSize: 20 * mib},
				{Kind: "extras-cf", Title: "Extras de carte funciară pentru informare, actualizat", Required: true,
					MediaTypes: []string{documents.TypePDF}, MaxSize: 10 * mib},
			}},
		{code: "certificat-fiscal", name: "Certificat de atestare fiscală",
			description: "Cerere pentru eliberarea certificatului de atestare fiscală privind impozitele și taxele locale datorate " +
				"Municipiului Lugoj (Codul de procedură fiscală). Dacă cereți certificatul pentru altă persoană, atașați împuternicirea. " +
				"Certificatul se eliberează în 2 zile lucrătoare.",
			// Law 207/2015 (Codul de procedură fiscală), art. 159: the local
			// fiscal body issues the certificate within 2 working days of
			// the request.
			department: "DE-ITL", regime: requesttypes.Custom, customDays: 2, workingDays: true, verifiedIdentity: true,
			attachments: []requesttypes.Attachment{{Kind: "imputernicire", Title: "Împuternicire (procură sau delegație)",
				MediaTypes: images, MaxSize: 10 * mib}}},
		{code: "audienta", name: "Audiență la primar",
			description: "Cerere de audiență la Primarul Municipiului Lugoj. Cabinetul Primarului vă comunică data și ora audienței.",
			// No law sets a term for granting an audience; 30 calendar days
			// is the petitions' term (OG 27/2002), the one citizens know.
			department: "CAB", regime: requesttypes.Custom, customDays: 30, verifiedIdentity: true},
	}
}

// requestForm reads the form of the type code.
func requestForm(code string) (json.RawMessage, error) {
	b, err := requestForms.ReadFile("requesttypes/" + code + ".json")
	if err != nil {
		return nil, fmt.Errorf("form of %s: %w", code, err)
	}
	if _, err := forms.Compile(b); err != nil {
		return nil, fmt.Errorf("form of %s: %w", code, err)
	}
	return b, nil
}

// seedRequestTypes creates and publishes Lugoj's request types. A type
// whose code is taken (by the demo's earlier run, or by an administrator
// since) is left as it is.
func seedRequestTypes(ctx context.Context, tx pgx.Tx) (int, error) {
	inst := InstitutionID(LugojCIF)
	var register uuid.UUID
	// The general register by its code: one defined by hand before the
	// demo keeps its own id.
	err := tx.QueryRow(ctx, `SELECT id FROM register WHERE institution_id = $1 AND code = 'I'`, inst).Scan(&register)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("request types: Lugoj has no register I")
	}
	if err != nil {
		return 0, fmt.Errorf("request types: register I: %w", err)
	}
	n := 0
	for _, rt := range lugojRequestTypes() {
		id := RequestTypeID(LugojCIF, rt.code)
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM request_type WHERE institution_id = $1 AND (code = $2 OR id = $3))`,
			inst, rt.code, id).Scan(&exists); err != nil {
			return 0, fmt.Errorf("request type %s: %w", rt.code, err)
		}
		if exists {
			continue
		}
		form, err := requestForm(rt.code)
		if err != nil {
			return 0, err
		}
		v := requesttypes.Version{Institution: inst, Name: rt.name, Description: rt.description, Form: form,
			Attachments: rt.attachments, Department: DepartmentID(LugojCIF, rt.department), Regime: rt.regime,
			CustomDays: rt.customDays, WorkingDays: rt.workingDays, Register: register, VerifiedIdentity: rt.verifiedIdentity}
		if _, _, err := requesttypes.Create(ctx, tx, requesttypes.Type{Institution: inst, ID: id, Code: rt.code}, v); err != nil {
			return 0, fmt.Errorf("request type %s: %w", rt.code, err)
		}
		if _, err := requesttypes.Publish(ctx, tx, inst, id, uuid.Nil); err != nil {
			return 0, fmt.Errorf("request type %s: %w", rt.code, err)
		}
		n++
	}
	return n, nil
}
