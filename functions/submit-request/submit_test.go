package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ghiseu/ghiseu/shared/forms"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

// What can be refused is refused before storing anything, with the field.
func TestCheckSubmission(t *testing.T) {
	form, err := forms.Compile([]byte(`{"type":"object","required":["subject"],"properties":{"subject":{"type":"string","minLength":3}}}`))
	if err != nil {
		t.Fatal(err)
	}
	v := requesttypes.Version{Attachments: []requesttypes.Attachment{
		{Kind: "plan", Title: "Plan", Required: true, MediaTypes: []string{"application/pdf"}, MaxSize: 1 << 20},
		{Kind: "poze", Title: "Fotografii", MediaTypes: []string{"image/jpeg", "image/png"}, MaxSize: 5 << 20},
	}}
	plan := declaredFile{Kind: "plan", Name: "plan.pdf", Size: 1000}
	for _, tc := range []struct {
		name   string
		data   string
		files  []declaredFile
		status int // 0: accepted
		fields []string
	}{
		{"valid", `{"subject":"Autorizație"}`, []declaredFile{plan}, 0, nil},
		{"form field", `{"subject":"A"}`, []declaredFile{plan}, http.StatusUnprocessableEntity, []string{"data.subject"}},
		{"not an object", `[1]`, []declaredFile{plan}, http.StatusUnprocessableEntity, []string{"data"}},
		{"required kind missing", `{"subject":"Autorizație"}`, nil, http.StatusUnprocessableEntity, []string{"attachments.plan"}},
		{"unknown kind", `{"subject":"Autorizație"}`, []declaredFile{plan, {Kind: "altceva", Name: "a.pdf", Size: 1}},
			http.StatusUnprocessableEntity, []string{"attachments[1].kind"}},
		{"a path as name", `{"subject":"Autorizație"}`, []declaredFile{{Kind: "plan", Name: "../../etc/passwd", Size: 1}},
			http.StatusUnprocessableEntity, []string{"attachments[0].name"}},
		{"no size", `{"subject":"Autorizație"}`, []declaredFile{{Kind: "plan", Name: "plan.pdf"}}, http.StatusUnprocessableEntity, []string{"attachments[0].size"}},
		{"too large for its kind", `{"subject":"Autorizație"}`, []declaredFile{plan, {Kind: "poze", Name: "a.jpg", Size: 6 << 20}},
			http.StatusRequestEntityTooLarge, []string{"attachments[1]"}},
		{"a format its kind refuses", `{"subject":"Autorizație"}`, []declaredFile{{Kind: "plan", Name: "plan.docx", Size: 10}},
			http.StatusUnsupportedMediaType, []string{"attachments[0]"}},
		{"an unknown extension waits for the bytes", `{"subject":"Autorizație"}`, []declaredFile{{Kind: "plan", Name: "plan.scan", Size: 10}}, 0, nil},
		{"field errors come first", `{}`, []declaredFile{{Kind: "plan", Name: "plan.docx", Size: 10}},
			http.StatusUnprocessableEntity, []string{"data.subject"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkSubmission(form, v, submission{Data: json.RawMessage(tc.data), Attachments: tc.files}, 200<<20)
			status, fields := answerOf(err)
			if status != tc.status || !slices.Equal(fields, tc.fields) {
				t.Errorf("%d %v, want %d %v (%v)", status, fields, tc.status, tc.fields, err)
			}
		})
	}
}

func answerOf(err error) (int, []string) {
	var fields invalid
	var ref *refusal
	var errs []httpapi.FieldError
	status := 0
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &fields):
		status, errs = http.StatusUnprocessableEntity, fields
	case errors.As(err, &ref):
		status, errs = ref.status, ref.fields
	default:
		return -1, nil
	}
	var names []string
	for _, e := range errs {
		names = append(names, e.Field)
	}
	return status, names
}

func TestTitleAndIdentification(t *testing.T) {
	for _, tc := range []struct {
		data       string
		title      string
		identified bool
	}{
		{`{"name":"Ion Pop","address":{"street":"Str. Mare 1"},"subject":"  Iluminat   public "}`, "Petiție: Iluminat public", true},
		{`{"name":"Ion Pop"}`, "Petiție", false},
		{`{"name":" ","address":"Lugoj"}`, "Petiție", false},
		{`{"subject":"` + strings.Repeat("ă", 600) + `"}`, "Petiție: " + strings.Repeat("ă", 490) + "…", false},
		{`not json`, "Petiție", false},
	} {
		if got := title("Petiție", json.RawMessage(tc.data)); got != tc.title {
			t.Errorf("title of %.40s: %q", tc.data, got)
		}
		if got := identifiedInForm(json.RawMessage(tc.data)); got != tc.identified {
			t.Errorf("identified %.40s: %v, want %v", tc.data, got, tc.identified)
		}
	}
}
