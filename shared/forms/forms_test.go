package forms

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// formsDir holds the demo's request forms (the Lugoj seed publishes them):
// real forms, written as an administrator would.
const formsDir = "../../infra/seed/requesttypes/"

func load(t testing.TB, name string) *Form {
	t.Helper()
	b, err := os.ReadFile(formsDir + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Compile(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

func mustCompile(t testing.TB, schema string) *Form {
	t.Helper()
	f, err := Compile([]byte(schema))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Valid submissions of every test form.
var valid = map[string]string{
	"petitie": `{
		"name": "Ioana Popescu", "cnp": "1920822296090", "email": "ioana@example.ro",
		"address": {"street": "Strada Bucegi", "number": "12A", "locality": "Lugoj", "county": "TM", "postalCode": "305500"},
		"subject": "Iluminat public", "text": "Vă rog să reparați iluminatul public de pe strada Bucegi.",
		"coSigners": [{"name": "Ion Pop", "cnp": "1920822296090"}]}`,
	"informatii-publice": `{"name": "Asociația Civică", "information": "Contractele de iluminat public din 2025.", "answerFormat": "email", "email": "a@example.ro"}`,
	"certificat-urbanism": `{"cnp": "1920822296090", "property": {"locality": "Lugoj", "street": "Strada Făgetului", "number": "12"},
		"cadastralNumber": "401234-C1", "landBookNumber": "401234", "purpose": "construire", "worksDescription": "Casă P+1",
		"area": 512.5, "floors": 2, "inIntravilan": true}`,
	"certificat-fiscal": `{"personType": "juridica", "taxpayerName": "Lugojana SRL", "cui": "RO18547290", "purpose": "Licitație", "copies": 2, "years": [2024, 2025]}`,
	"audienta":          `{"name": "Mihai Ionescu", "preferredDate": "2026-03-16", "topic": "Reabilitarea parcului din cartier", "phone": "0722123456"}`,
}

func TestValidForms(t *testing.T) {
	for name, data := range valid {
		t.Run(name, func(t *testing.T) {
			if errs := load(t, name).Validate([]byte(data)); errs != nil {
				t.Fatalf("valid data refused: %+v", errs)
			}
		})
	}
	// OG 27/2002 asks a petitioner for a name and an address, not a CNP.
	t.Run("petitie without a CNP", func(t *testing.T) {
		if errs := load(t, "petitie").Validate([]byte(with(t, "petitie", map[string]any{"cnp": nil}))); errs != nil {
			t.Fatalf("a petition without a CNP refused: %+v", errs)
		}
	})
}

// with returns the valid submission of form with top-level keys replaced
// (a nil value removes the key).
func with(t testing.TB, form string, changes map[string]any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(valid[form]), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range changes {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestValidate(t *testing.T) {
	type want struct{ field, code, ro, en string } // empty ro/en: not checked
	tests := []struct {
		name string
		form string
		data string
		want []want
	}{
		{
			name: "required, with the title in Romanian and English",
			form: "petitie",
			data: with(t, "petitie", map[string]any{"name": nil}),
			want: []want{{"name", "name.required", "Câmpul «Nume și prenume» este obligatoriu.", "Field «Full name» is required."}},
		},
		{
			name: "pattern says the form is invalid, not the regex",
			form: "certificat-urbanism",
			data: with(t, "certificat-urbanism", map[string]any{"landBookNumber": "CF 401234"}),
			want: []want{{"landBookNumber", "landBookNumber.pattern",
				"Câmpul «Număr carte funciară (CF)» are o formă nevalidă (numărul cărții funciare, doar cifre).",
				"Field «Land book number (CF)» has an invalid form (the land book's number, digits only)."}},
		},
		{
			name: "a CNP is refused as sign-up refuses it: its code after the field's, its message",
			form: "petitie",
			data: with(t, "petitie", map[string]any{"cnp": "1920822296091"}),
			want: []want{{"cnp", "cnp.cnp.checksum",
				"Cifra de control a CNP-ului nu este corectă; verificați dacă ați tastat corect.",
				"The control digit of the CNP does not match; check for a typing mistake."}},
		},
		{
			name: "fiscal: a CNP and a CUI are refused with sign-up's codes and messages",
			form: "certificat-fiscal",
			data: with(t, "certificat-fiscal", map[string]any{"cui": "RO18547291", "cnp": "1920822476095"}),
			want: []want{
				{"cnp", "cnp.cnp.county", "Codul județului din CNP nu este valid.", "The county code in the CNP is not valid."},
				{"cui", "cui.cui.checksum", "Cifra de control a CUI-ului nu este corectă; verificați dacă ați tastat corect.", ""},
			},
		},
		{
			name: "email format",
			form: "petitie",
			data: with(t, "petitie", map[string]any{"email": "ioana@"}),
			want: []want{{"email", "email.format", "Câmpul «Adresă de e-mail» trebuie să fie o adresă de e-mail validă.", "Field «Email address» must be a valid email address."}},
		},
		{
			name: "nested required belongs to the missing child",
			form: "petitie",
			data: with(t, "petitie", map[string]any{"address": map[string]any{"street": "Bucegi", "county": "TM"}}),
			want: []want{{"address.locality", "address.locality.required", "Câmpul «Localitate» este obligatoriu.", "Field «Locality» is required."}},
		},
		{
			name: "enum through a local $ref lists the labels",
			form: "petitie",
			data: with(t, "petitie", map[string]any{"address": map[string]any{"street": "Bucegi", "locality": "Lugoj", "county": "B"}}),
			want: []want{{"address.county", "address.county.enum",
				"Câmpul «Județ» trebuie să aibă una dintre valorile: Timiș, Arad, Caraș-Severin, Hunedoara.",
				"Field «County» must be one of: Timiș, Arad, Caraș-Severin, Hunedoara."}},
		},
		{
			name: "unknown properties, top level and nested",
			form: "petitie",
			data: with(t, "petitie", map[string]any{"iban": "RO49", "address": map[string]any{"street": "Bucegi", "locality": "Lugoj", "county": "TM", "bloc": "A1"}}),
			want: []want{
				{"address.bloc", "address.bloc.additional", "Câmpul «bloc» nu face parte din acest formular.", "Field «bloc» is not part of this form."},
				{"iban", "iban.additional", "", ""},
			},
		},
		{
			name: "wrong types",
			form: "petitie",
			data: with(t, "petitie", map[string]any{"subject": 42, "address": "Strada Bucegi 12", "coSigners": map[string]any{}}),
			want: []want{
				{"address", "address.type", "Câmpul «Domiciliu» trebuie să fie un grup de câmpuri (obiect JSON).", "Field «Address» must be a group of fields (a JSON object)."},
				{"coSigners", "coSigners.type", "Câmpul «Cosemnatari» trebuie să fie o listă.", "Field «Co-signers» must be a list."},
				{"subject", "subject.type", "Câmpul «Obiectul petiției» trebuie să fie un text.", "Field «Subject» must be text."},
			},
		},
		{
			name: "lengths, with Romanian plural forms",
			form: "petitie",
			data: with(t, "petitie", map[string]any{"text": strings.Repeat("ă", 5001), "subject": "Ilum", "address": map[string]any{"street": "", "locality": "Lugoj", "county": "TM"}}),
			want: []want{
				{"address.street", "address.street.min_length", "Câmpul «Stradă» trebuie să aibă cel puțin 1 caracter.", "Field «Street» must have at least 1 character."},
				{"subject", "subject.min_length", "Câmpul «Obiectul petiției» trebuie să aibă cel puțin 5 caractere.", "Field «Subject» must have at least 5 characters."},
				{"text", "text.max_length", "Câmpul «Conținutul petiției» poate avea cel mult 5000 de caractere.", "Field «Text» may have at most 5000 characters."},
			},
		},
		{
			name: "array items: errors name the element",
			form: "petitie",
			data: with(t, "petitie", map[string]any{"coSigners": []any{
				map[string]any{"name": "Ion Pop"},
				map[string]any{"cnp": "123"},
				map[string]any{"name": "Al"},
			}}),
			want: []want{
				{"coSigners[1].cnp", "coSigners[].cnp.cnp.length", "CNP-ul trebuie să aibă 13 cifre.", "The CNP must have 13 digits."},
				{"coSigners[1].name", "coSigners[].name.required", "Câmpul «Nume și prenume» (Cosemnatari, nr. 2) este obligatoriu.", "Field «Full name» (Co-signers, no. 2) is required."},
				{"coSigners[2].name", "coSigners[].name.min_length", "", ""},
			},
		},
		{
			name: "array: too many items, an item of the wrong type",
			form: "petitie",
			data: with(t, "petitie", map[string]any{"coSigners": []any{map[string]any{"name": "Ion Pop"}, "Ana", map[string]any{"name": "Ion Pop"}, map[string]any{"name": "Ion Pop"}}}),
			want: []want{
				{"coSigners", "coSigners.max_items", "Câmpul «Cosemnatari» poate avea cel mult 3 elemente.", "Field «Co-signers» may have at most 3 items."},
				{"coSigners[1]", "coSigners[].type", "Câmpul «Cosemnatari» (nr. 2) trebuie să fie un grup de câmpuri (obiect JSON).", ""},
			},
		},
		{
			name: "public information: enum with labels",
			form: "informatii-publice",
			data: with(t, "informatii-publice", map[string]any{"answerFormat": "fax"}),
			want: []want{{"answerFormat", "answerFormat.enum",
				"Câmpul «Formatul preferat al răspunsului» trebuie să aibă una dintre valorile: prin e-mail, prin poștă, ridicare de la sediu.",
				"Field «Preferred answer format» must be one of: by email, by post, collected on site."}},
		},
		{
			name: "public information: everything missing",
			form: "informatii-publice",
			data: `{}`,
			want: []want{
				{"answerFormat", "answerFormat.required", "", ""},
				{"information", "information.required", "Câmpul «Informațiile solicitate» este obligatoriu.", "Field «Information requested» is required."},
				{"name", "name.required", "", ""},
			},
		},
		{
			name: "urbanism: minimum, exclusive maximum, number and boolean types",
			form: "certificat-urbanism",
			data: with(t, "certificat-urbanism", map[string]any{"area": 0.5, "floors": 30, "inIntravilan": "da", "landBookNumber": 401234}),
			want: []want{
				{"area", "area.minimum", "Câmpul «Suprafața terenului (mp)» trebuie să fie cel puțin 1.", "Field «Land area (sq m)» must be at least 1."},
				{"floors", "floors.maximum", "Câmpul «Număr de niveluri» trebuie să fie mai mic decât 30.", "Field «Number of floors» must be less than 30."},
				{"inIntravilan", "inIntravilan.type", "Câmpul «Teren în intravilan» trebuie să fie da sau nu (true sau false).", "Field «Land inside the built-up area» must be yes or no (true or false)."},
				{"landBookNumber", "landBookNumber.type", "", ""},
			},
		},
		{
			name: "urbanism: maximum, integer type, enum, pattern",
			form: "certificat-urbanism",
			data: with(t, "certificat-urbanism", map[string]any{"area": 2000000, "floors": 2.5, "purpose": "demolare", "cadastralNumber": "40-1234"}),
			want: []want{
				{"area", "area.maximum", "Câmpul «Suprafața terenului (mp)» poate fi cel mult 1000000.", "Field «Land area (sq m)» may be at most 1000000."},
				{"cadastralNumber", "cadastralNumber.pattern", "Câmpul «Număr cadastral» are o formă nevalidă.", "Field «Cadastral number» has an invalid form."},
				{"floors", "floors.type", "Câmpul «Număr de niveluri» trebuie să fie un număr întreg.", "Field «Number of floors» must be a whole number."},
				{"purpose", "purpose.enum", "Câmpul «Scopul certificatului» trebuie să aibă una dintre valorile: Construire, Desființare, Vânzare / cumpărare, Informare.", ""},
			},
		},
		{
			name: "urbanism: area given as a string",
			form: "certificat-urbanism",
			data: with(t, "certificat-urbanism", map[string]any{"area": "500"}),
			want: []want{{"area", "area.type", "Câmpul «Suprafața terenului (mp)» trebuie să fie un număr.", "Field «Land area (sq m)» must be a number."}},
		},
		{
			name: "fiscal: person type enum, numeric enum, array items",
			form: "certificat-fiscal",
			data: with(t, "certificat-fiscal", map[string]any{"personType": "PF", "copies": 4, "years": []any{1999, 2024, 2024}}),
			want: []want{
				{"copies", "copies.enum", "Câmpul «Număr de exemplare» trebuie să aibă una dintre valorile: 1, 2, 3.", "Field «Number of copies» must be one of: 1, 2, 3."},
				{"personType", "personType.enum", "Câmpul «Tipul persoanei» trebuie să aibă una dintre valorile: Persoană fizică, Persoană juridică.", "Field «Person type» must be one of: Natural person, Legal person."},
				{"years", "years.unique_items", "Câmpul «Anii fiscali» nu poate conține valori repetate.", "Field «Fiscal years» may not repeat a value."},
				{"years[0]", "years[].minimum", "Câmpul «Anii fiscali» (nr. 1) trebuie să fie cel puțin 2000.", "Field «Fiscal years» (no. 1) must be at least 2000."},
			},
		},
		{
			name: "fiscal: one field failing two ways is told once, by the first thing to fix",
			form: "certificat-fiscal",
			data: with(t, "certificat-fiscal", map[string]any{"copies": 7, "years": []any{}}),
			want: []want{
				{"copies", "copies.enum", "", ""},
				{"years", "years.min_items", "Câmpul «Anii fiscali» trebuie să aibă cel puțin 1 element.", "Field «Fiscal years» must have at least 1 item."},
			},
		},
		{
			name: "audience: a date that does not exist",
			form: "audienta",
			data: with(t, "audienta", map[string]any{"preferredDate": "2026-02-30"}),
			want: []want{{"preferredDate", "preferredDate.format",
				"Câmpul «Data preferată» trebuie să fie o dată calendaristică validă, de forma AAAA-LL-ZZ (de exemplu 2026-03-15).",
				"Field «Preferred date» must be a valid calendar date in the form YYYY-MM-DD (for example 2026-03-15)."}},
		},
		{
			name: "audience: a date in the Romanian way",
			form: "audienta",
			data: with(t, "audienta", map[string]any{"preferredDate": "16.03.2026", "topic": "Parcul"}),
			want: []want{
				{"preferredDate", "preferredDate.format", "", ""},
				{"topic", "topic.min_length", "Câmpul «Tema audienței» trebuie să aibă cel puțin 10 caractere.", ""},
			},
		},
		{
			name: "audience: unknown properties allowed when additionalProperties is not false",
			form: "audienta",
			data: with(t, "audienta", map[string]any{"note": "după-amiază"}),
		},
		{
			// big.Rat would take ages over the first and the library would
			// panic on the second; neither reaches it.
			name: "numbers no form can use",
			form: "certificat-urbanism",
			data: `{"cadastralNumber": "1", "landBookNumber": "1", "purpose": "informare", "area": 1e999999, "floors": 1E-99999999999, "x": [1e9999999]}`,
			want: []want{
				{"area", "area.range", "Câmpul «Suprafața terenului (mp)» conține un număr prea mare sau prea mic.", "Field «Land area (sq m)» holds a number too large or too small."},
				{"floors", "floors.range", "", ""},
				{"x[0]", "x[].range", "Câmpul «x» (nr. 1) conține un număr prea mare sau prea mic.", "Field «x» (no. 1) holds a number too large or too small."},
			},
		},
		{
			name: "a number where the form wants text, large and exact",
			form: "petitie",
			data: with(t, "petitie", map[string]any{"cnp": json.Number("1920822296090")}),
			want: []want{{"cnp", "cnp.type", "Câmpul «CNP» trebuie să fie un text.", "Field «Personal numeric code» must be text."}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := load(t, tt.form).Validate([]byte(tt.data))
			if len(got) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(got), len(tt.want), dump(got))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Field != w.field || g.Code != w.code {
					t.Errorf("error %d: got %s %s, want %s %s\n%s", i, g.Field, g.Code, w.field, w.code, dump(got))
				}
				if w.ro != "" && g.Message != w.ro {
					t.Errorf("error %d ro:\n got %s\nwant %s", i, g.Message, w.ro)
				}
				if w.en != "" && g.MessageEn != w.en {
					t.Errorf("error %d en:\n got %s\nwant %s", i, g.MessageEn, w.en)
				}
				if g.Message == "" || g.MessageEn == "" {
					t.Errorf("error %d: empty message: %+v", i, g)
				}
				if strings.Contains(g.Message+g.MessageEn, `\d`) {
					t.Errorf("error %d shows a regex: %+v", i, g)
				}
			}
		})
	}
}

// TestIdentifierVectors runs the vectors shared by package nationalid and
// the web form renderer (web/src/forms/nationalid.test.ts) through a form:
// a field of format cnp or cui refuses what sign-up refuses, with the
// field's code followed by sign-up's, and sign-up's message.
func TestIdentifierVectors(t *testing.T) {
	b, err := os.ReadFile("../nationalid/testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	type vector struct {
		Name  string  `json:"name"`
		In    string  `json:"in"`
		Code  *string `json:"code"`
		Dated bool    `json:"dated"`
	}
	var c struct {
		Messages map[string]struct{ Ro, En string } `json:"messages"`
		CNP      []vector                           `json:"cnp"`
		CUI      []vector                           `json:"cui"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	run := func(form, field string, vectors []vector) {
		f := load(t, form)
		for _, v := range vectors {
			// The form checks on today's date; the vectors' "today" is
			// another, and only the dated ones care.
			if v.Dated {
				continue
			}
			t.Run(form+"/"+v.Name, func(t *testing.T) {
				got := f.Validate([]byte(with(t, form, map[string]any{field: v.In})))
				if v.Code == nil {
					if got != nil {
						t.Fatalf("%q refused: %s", v.In, dump(got))
					}
					return
				}
				m := c.Messages[*v.Code]
				want := httpapi.Field(field, field+"."+*v.Code, m.Ro, m.En)
				if len(got) != 1 || got[0] != want {
					t.Fatalf("%q: got\n%swant %+v", v.In, dump(got), want)
				}
			})
		}
	}
	run("petitie", "cnp", c.CNP)
	run("certificat-fiscal", "cui", c.CUI)
}

func dump(errs []httpapi.FieldError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  %s | %s | %s | %s\n", e.Field, e.Code, e.Message, e.MessageEn)
	}
	return b.String()
}

func TestValidateBody(t *testing.T) {
	f := load(t, "petitie")
	for _, tt := range []struct{ data, code string }{
		{``, CodeBodyMalformed},
		{`{`, CodeBodyMalformed},
		{`{"name": "a"} {}`, CodeBodyMalformed},
		{`{"name": 01}`, CodeBodyMalformed},
		{`[]`, CodeBodyType},
		{`[{"name": "Ioana"}]`, CodeBodyType},
		{`"Ioana"`, CodeBodyType},
		{`42`, CodeBodyType},
		{`null`, CodeBodyType},
		{`true`, CodeBodyType},
	} {
		got := f.Validate([]byte(tt.data))
		if len(got) != 1 || got[0].Code != tt.code || got[0].Field != "" || got[0].Message == "" || got[0].MessageEn == "" {
			t.Errorf("%q: got %+v, want one %s for the whole body", tt.data, got, tt.code)
		}
	}
}

// Errors come sorted by field, list indices numerically, and the same every
// time although the library's error tree and Go's maps have no order.
func TestValidateSortedAndDeterministic(t *testing.T) {
	f := mustCompile(t, `{
		"type": "object",
		"properties": {
			"b": {"type": "string"},
			"a": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer", "multipleOf": 5}}, "required": ["x"]}},
			"c": {"type": "object", "properties": {"z": {"type": "string"}, "y": {"type": "string"}}, "required": ["z", "y"]}
		},
		"required": ["b"]
	}`)
	var items []string
	for i := range 12 {
		items = append(items, fmt.Sprintf(`{"x": %d}`, i))
	}
	data := `{"a": [` + strings.Join(items, ",") + `], "c": {}}`
	first := f.Validate([]byte(data))
	var fields []string
	for _, e := range first {
		fields = append(fields, e.Field)
	}
	want := []string{"a[1].x", "a[2].x", "a[3].x", "a[4].x", "a[6].x", "a[7].x", "a[8].x", "a[9].x", "a[11].x", "b", "c.y", "c.z"}
	if !slices.Equal(fields, want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
	if first[0].Code != "a[].x.multiple_of" || first[0].Message != "Câmpul «x» (a, nr. 2) trebuie să fie multiplu de 5." {
		t.Errorf("got %+v", first[0])
	}
	for range 20 {
		if again := f.Validate([]byte(data)); !reflect.DeepEqual(again, first) {
			t.Fatalf("not deterministic:\n%s\n%s", dump(first), dump(again))
		}
	}
}

func TestFields(t *testing.T) {
	fields := load(t, "petitie").Fields()
	var paths []string
	for _, f := range fields {
		paths = append(paths, f.Path)
	}
	// x-order puts email before address although "properties" lists it
	// later; nested fields follow their parent in the order written.
	want := []string{"name", "cnp", "email", "address", "address.street", "address.number", "address.locality",
		"address.county", "address.postalCode", "subject", "text", "coSigners", "coSigners[]", "coSigners[].name", "coSigners[].cnp"}
	if !slices.Equal(paths, want) {
		t.Fatalf("paths %v\nwant  %v", paths, want)
	}
	by := map[string]Field{}
	for _, f := range fields {
		by[f.Path] = f
	}
	// OG 27/2002 asks a petitioner for a name and an address, not a CNP.
	if f := by["cnp"]; f.Required || f.Format != FormatCNP || f.Pattern != "" || f.Title != "CNP" || f.TitleEn != "Personal numeric code" || f.Description == "" {
		t.Errorf("cnp: %+v", f)
	}
	if f := by["email"]; f.Required || f.Format != "email" {
		t.Errorf("email: %+v", f)
	}
	if f := by["address.locality"]; !f.Required || f.Default != "Lugoj" {
		t.Errorf("address.locality: %+v", f)
	}
	county := by["address.county"]
	if county.Title != "Județ" || len(county.Enum) != 4 || county.Enum[0] != (Option{Value: "TM", Label: "Timiș", LabelEn: "Timiș"}) ||
		county.Enum[1] != (Option{Value: "AR", Label: "Arad", LabelEn: "Arad"}) {
		t.Errorf("address.county: %+v", county)
	}
	if f := by["text"]; f.MaxLength == nil || *f.MaxLength != 5000 || f.MinLength == nil || *f.MinLength != 20 {
		t.Errorf("text: %+v", f)
	}
	if f := by["coSigners"]; f.Type != "array" || f.MaxItems == nil || *f.MaxItems != 3 {
		t.Errorf("coSigners: %+v", f)
	}
	if f := by["coSigners[]"]; f.Type != "object" || f.Title != "Cosemnatari" {
		t.Errorf("coSigners[]: %+v", f)
	}
	if f := by["coSigners[].name"]; !f.Required {
		t.Errorf("coSigners[].name: %+v", f)
	}

	// The description is JSON for the discovery endpoint: bounds stay
	// numbers as written, absent ones are left out.
	u := load(t, "certificat-urbanism").Fields()
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"path":"area","title":"Suprafața terenului (mp)","titleEn":"Land area (sq m)","type":"number","required":true,"minimum":1,"maximum":1000000}`,
		`"exclusiveMaximum":30`, `{"value":"desfiintare","label":"Desființare","labelEn":"Demolition"}`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("Fields JSON lacks %s:\n%s", s, b)
		}
	}

	// Fields hands out copies: a caller cannot change the form.
	form := load(t, "petitie")
	g := form.Fields()
	g[0].Title = "x"
	g[7].Enum[0].Label = "x"
	*g[10].MaxLength = 1
	h := form.Fields()
	if h[0].Title != "Nume și prenume" || h[7].Enum[0].Label != "Timiș" || *h[10].MaxLength != 5000 {
		t.Error("Fields shares its contents with the form")
	}
}

func TestCompileRefuses(t *testing.T) {
	field := func(s string) string {
		return `{"type": "object", "properties": {"f": ` + s + `}}`
	}
	var many []string
	for i := range MaxFields + 1 {
		many = append(many, fmt.Sprintf(`"f%d": {"type": "string"}`, i))
	}
	var big strings.Builder
	big.WriteString(`{"type": "object", "properties": {"f": {"type": "string", "description": "`)
	big.WriteString(strings.Repeat("ș", MaxSchemaBytes/2))
	big.WriteString(`"}}}`)
	nest := `{"type": "string"}`
	for range MaxDepth {
		nest = `{"type": "object", "properties": {"g": ` + nest + `}}`
	}

	tests := []struct {
		name, schema, says string
	}{
		{"not JSON", `{"type": "object",`, "not JSON"},
		{"not an object", `["type", "object"]`, "must be a JSON object"},
		{"root not an object", `{"type": "string"}`, `"type": "object"`},
		{"root without properties", `{"type": "object"}`, `"properties"`},
		{"remote $ref", field(`{"$ref": "https://evil.example/cnp.json"}`), "another document"},
		{"relative $ref (a file next to it)", field(`{"$ref": "cnp.json"}`), "another document"},
		{"remote $ref in unused $defs", `{"type": "object", "properties": {"f": {"type": "string"}}, "$defs": {"x": {"$ref": "http://169.254.169.254/latest"}}}`, "another document"},
		{"$id", `{"$id": "https://example.ro/f.json", "type": "object", "properties": {"f": {"type": "string"}}}`, "$id"},
		{"local $ref to nothing", field(`{"$ref": "#/$defs/none"}`), "$ref"},
		{"$ref cycle", `{"type": "object", "properties": {"f": {"$ref": "#/$defs/a"}}, "$defs": {"a": {"$ref": "#/$defs/a"}}}`, "$ref"},
		{"recursive form", field(`{"$ref": "#"}`), "deeper"},
		{"oversized", big.String(), "bytes"},
		{"too many fields", `{"type": "object", "properties": {` + strings.Join(many, ",") + `}}`, "more than 200 fields"},
		{"too deep", field(nest), "deeper than 4"},
		{"null type", field(`{"type": "null"}`), `"type"`},
		{"type list", field(`{"type": ["string", "null"]}`), `"type"`},
		{"no type", field(`{"title": "Nume"}`), `"type"`},
		{"boolean schema", field(`true`), "schema object"},
		{"combinator", field(`{"type": "string", "anyOf": [{"maxLength": 3}]}`), `"anyOf"`},
		{"const", field(`{"type": "string", "const": "a"}`), `"const"`},
		{"string keyword on a number", field(`{"type": "number", "pattern": "^1$"}`), `"pattern"`},
		{"unsupported format", field(`{"type": "string", "format": "hostname"}`), "format"},
		{"cnp format on a number", field(`{"type": "integer", "format": "cnp"}`), `"format"`},
		{"bad pattern", field(`{"type": "string", "pattern": "(a"}`), "pattern"},
		{"required names no property", `{"type": "object", "properties": {"f": {"type": "string"}}, "required": ["g"]}`, `"g"`},
		{"enum of the wrong type", field(`{"type": "integer", "enum": [1, "2"]}`), "enum"},
		{"enum not whole", field(`{"type": "integer", "enum": [1.5]}`), "whole"},
		{"enum repeated", field(`{"type": "string", "enum": ["a", "a"]}`), "twice"},
		{"label for no value", field(`{"type": "string", "enum": ["a"], "x-labels": {"b": {"ro": "B"}}}`), `"b"`},
		{"label without ro", field(`{"type": "string", "enum": ["a"], "x-labels": {"a": {"en": "A"}}}`), `"ro"`},
		{"minLength over maxLength", field(`{"type": "string", "minLength": 5, "maxLength": 2}`), "minLength"},
		{"negative maxLength", field(`{"type": "string", "maxLength": -1}`), "maxLength"},
		{"huge bound", field(`{"type": "number", "maximum": 1e99999999999}`), "maximum"},
		{"huge enum value", field(`{"type": "number", "enum": [1e999999]}`), "enum"},
		{"minimum over maximum", field(`{"type": "number", "minimum": 5, "maximum": 2}`), "minimum"},
		{"array without items", field(`{"type": "array"}`), `"items"`},
		{"list of lists", field(`{"type": "array", "items": {"type": "array", "items": {"type": "string"}}}`), "list of lists"},
		{"object without properties", field(`{"type": "object"}`), `"properties"`},
		{"additionalProperties schema", `{"type": "object", "properties": {"f": {"type": "string"}}, "additionalProperties": {"type": "string"}}`, "additionalProperties"},
		{"property name with a dot", `{"type": "object", "properties": {"a.b": {"type": "string"}}}`, `"a.b"`},
		{"other draft", `{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {"f": {"type": "string"}}}`, "2020-12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Compile([]byte(tt.schema))
			if !errors.Is(err, ErrBadSchema) {
				t.Fatalf("got %v, %v; want ErrBadSchema", f, err)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
		})
	}
}

func TestCompileAcceptsLimits(t *testing.T) {
	var many []string
	for i := range MaxFields {
		many = append(many, fmt.Sprintf(`"f%d": {"type": "string"}`, i))
	}
	mustCompile(t, `{"type": "object", "properties": {`+strings.Join(many, ",")+`}}`)
	nest := `{"type": "string"}`
	for range MaxDepth - 1 {
		nest = `{"type": "object", "properties": {"g": ` + nest + `}}`
	}
	mustCompile(t, `{"type": "object", "properties": {"f": `+nest+`}}`)
}

func FuzzValidate(f *testing.F) {
	for _, data := range valid {
		f.Add([]byte(data))
	}
	for _, s := range []string{``, `{`, `[]`, `null`, `{"coSigners": [1, {"name": 2}]}`, `{"address": {"county": 1e400}}`, `{"cnp": 1920822296090}`, `{"text": 1e99999999999, "coSigners": [{"cnp": -1e-99999999}]}`, "{\"name\": \"\xff\"}"} {
		f.Add([]byte(s))
	}
	form := load(f, "petitie")
	fiscal := load(f, "certificat-fiscal")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, form := range []*Form{form, fiscal} {
			errs := form.Validate(data)
			for i, e := range errs {
				if e.Code == "" || e.Message == "" || e.MessageEn == "" {
					t.Fatalf("incomplete error %+v", e)
				}
				if i > 0 && errs[i-1].Field == e.Field {
					t.Fatalf("two errors for %s", e.Field)
				}
			}
		}
	})
}

func FuzzCompile(f *testing.F) {
	for _, name := range []string{"petitie", "informatii-publice", "certificat-urbanism", "certificat-fiscal", "audienta"} {
		b, err := os.ReadFile(formsDir + name + ".json")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, schema []byte) {
		form, err := Compile(schema)
		if err != nil {
			if !errors.Is(err, ErrBadSchema) {
				t.Fatalf("error without ErrBadSchema: %v", err)
			}
			return
		}
		form.Fields()
		form.Validate([]byte(`{"a": [1, {"b": "c"}], "name": 1}`))
	})
}
