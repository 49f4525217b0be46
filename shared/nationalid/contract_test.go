package nationalid

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"
)

// contract is testdata/vectors.json: the vectors web/src/forms/nationalid.ts
// is tested against too, so that the browser refuses exactly what the
// server refuses, with the same codes and messages.
type contract struct {
	Today    string                       `json:"today"`
	Messages map[string]map[string]string `json:"messages"`
	CNP      []struct {
		Name  string  `json:"name"`
		In    string  `json:"in"`
		Code  *string `json:"code"`
		Birth string  `json:"birth"`
	} `json:"cnp"`
	CUI []struct {
		Name      string  `json:"name"`
		In        string  `json:"in"`
		Code      *string `json:"code"`
		Canonical string  `json:"canonical"`
	} `json:"cui"`
}

// contractPath is where the shared vectors are, from this package.
const contractPath = "testdata/vectors.json"

func loadContract(t *testing.T) contract {
	t.Helper()
	b, err := os.ReadFile(contractPath)
	if err != nil {
		t.Fatal(err)
	}
	var c contract
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", contractPath, err)
	}
	return c
}

// codeOf is the code of err, "" for nil.
func codeOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *Error", err)
	}
	return e.Code
}

func TestContractVectors(t *testing.T) {
	c := loadContract(t)
	today, err := time.Parse(time.DateOnly, c.Today)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.CNP) < 40 || len(c.CUI) < 20 {
		t.Fatalf("only %d CNP and %d CUI vectors", len(c.CNP), len(c.CUI))
	}
	seen := map[string]bool{}
	for _, v := range c.CNP {
		t.Run("cnp/"+v.Name, func(t *testing.T) {
			got, err := parseCNP(v.In, today)
			want := ""
			if v.Code != nil {
				want = *v.Code
			}
			if code := codeOf(t, err); code != want {
				t.Fatalf("parseCNP(%q) code %q, want %q", v.In, code, want)
			}
			seen[want] = true
			if err == nil && got.BirthDate().Format(time.DateOnly) != v.Birth {
				t.Errorf("parseCNP(%q) born %s, want %s", v.In, got.BirthDate().Format(time.DateOnly), v.Birth)
			}
		})
	}
	for _, v := range c.CUI {
		t.Run("cui/"+v.Name, func(t *testing.T) {
			got, err := ParseCUI(v.In)
			want := ""
			if v.Code != nil {
				want = *v.Code
			}
			if code := codeOf(t, err); code != want {
				t.Fatalf("ParseCUI(%q) code %q, want %q", v.In, code, want)
			}
			seen[want] = true
			if err == nil && got.String() != v.Canonical {
				t.Errorf("ParseCUI(%q) = %q, want %q", v.In, got.String(), v.Canonical)
			}
		})
	}
	// Every code is exercised, and every code has its messages.
	codes := []string{CodeCNPLength, CodeCNPDigits, CodeCNPSex, CodeCNPDate, CodeCNPCounty, CodeCNPSerial, CodeCNPChecksum,
		CodeCUIFormat, CodeCUILength, CodeCUIChecksum}
	for _, code := range codes {
		if !seen[code] {
			t.Errorf("no vector gives %s", code)
		}
	}
	if len(c.Messages) != len(codes) {
		t.Errorf("%d messages in the contract, want %d", len(c.Messages), len(codes))
	}
	for _, code := range codes {
		e := &Error{Code: code}
		m := c.Messages[code]
		if m["ro"] != e.Message("ro") || m["en"] != e.Message("en") {
			t.Errorf("%s: contract says %q / %q, the package %q / %q", code, m["ro"], m["en"], e.Message("ro"), e.Message("en"))
		}
	}
}
