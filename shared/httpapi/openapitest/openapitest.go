// Package openapitest checks HTTP responses against the platform's OpenAPI
// document, so that the document and the handlers cannot drift apart. Every
// handler test and the end-to-end tests run their responses through it.
package openapitest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// load parses the document once per test binary.
var load = sync.OnceValues(func() (validator.Validator, error) {
	doc, err := libopenapi.NewDocument(httpapi.OpenAPI())
	if err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		var msgs []string
		for _, e := range verrs {
			msgs = append(msgs, e.Message+": "+e.Reason)
		}
		return nil, errors.New("the OpenAPI document is invalid: " + strings.Join(msgs, "; "))
	}
	return v, nil
})

// Check fails t unless resp, the answer to req, is what the OpenAPI
// document says that operation answers. It leaves resp.Body readable.
func Check(t testing.TB, req *http.Request, resp *http.Response) {
	t.Helper()
	checker, err := load()
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	check := *resp
	check.Body = io.NopCloser(bytes.NewReader(body))
	if ok, errs := checker.ValidateHttpResponse(req, &check); !ok {
		for _, e := range errs {
			t.Errorf("%s %s → %d does not match the OpenAPI document: %s (%s)", req.Method, req.URL.Path, resp.StatusCode, e.Message, e.Reason)
		}
	}
}
