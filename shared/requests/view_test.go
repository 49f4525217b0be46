package requests

import "testing"

func TestFormAddressReadsTheFormsAddress(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{`{"address": {"street": "Str. Făgetului", "number": "12", "locality": "Lugoj", "county": "TM"}}`, "Str. Făgetului, 12, Lugoj, TM"},
		{`{"postalAddress": " Str. Bujorilor 3, Lugoj "}`, "Str. Bujorilor 3, Lugoj"},
		{`{"adresa": "Piața Victoriei 4"}`, "Piața Victoriei 4"},
		{`{"address": {"street": " ", "locality": "Lugoj"}}`, "Lugoj"},
		{`{"address": {}, "postalAddress": "Str. Mică 1"}`, "Str. Mică 1"},
		{`{"name": "Ana"}`, ""},
		{`{"address": 12}`, ""},
		{`not json`, ""},
	} {
		if got := FormAddress([]byte(tc.data)); got != tc.want {
			t.Errorf("FormAddress(%s) = %q, want %q", tc.data, got, tc.want)
		}
	}
}
