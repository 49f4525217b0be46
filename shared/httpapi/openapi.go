package httpapi

import (
	"bytes"
	_ "embed"
)

//go:embed openapi.json
var openapi []byte

// OpenAPI returns the OpenAPI 3.1 document of every HTTP route the gateway
// serves. Tests check handlers' responses against it, so it cannot drift.
func OpenAPI() []byte { return bytes.Clone(openapi) }
