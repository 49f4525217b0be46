package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

func TestOpenAPIMergesFragments(t *testing.T) {
	var doc struct {
		OpenAPI    string                    `json:"openapi"`
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Paths["/readyz"] == nil || doc.Components.Schemas["Problem"] == nil {
		t.Fatalf("merged document lacks its parts: %s %v %v", doc.OpenAPI, len(doc.Paths), len(doc.Components.Schemas))
	}
}

// Two functions may serve one path with different methods.
func TestOpenAPIMergesMethodsOfOnePath(t *testing.T) {
	fsys := fstest.MapFS{
		"openapi/a.json": {Data: []byte(`{"paths": {"/x": {"parameters": [1], "get": {"operationId": "a"}}}}`)},
		"openapi/b.json": {Data: []byte(`{"paths": {"/x": {"parameters": [1], "post": {"operationId": "b"}}}}`)},
	}
	b, err := merge(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"operationId":"a"`) || !strings.Contains(string(b), `"operationId":"b"`) {
		t.Errorf("merged: %s", b)
	}
}

func TestOpenAPIRefusesDuplicates(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"operation twice": {
			"openapi/a.json": {Data: []byte(`{"paths": {"/x": {"get": {}}}}`)},
			"openapi/b.json": {Data: []byte(`{"paths": {"/x": {"get": {}}}}`)},
		},
		"path parameters differ": {
			"openapi/a.json": {Data: []byte(`{"paths": {"/x": {"parameters": [1], "get": {}}}}`)},
			"openapi/b.json": {Data: []byte(`{"paths": {"/x": {"parameters": [2], "post": {}}}}`)},
		},
		"schema twice": {
			"openapi/a.json": {Data: []byte(`{"components": {"schemas": {"S": {}}}}`)},
			"openapi/b.json": {Data: []byte(`{"components": {"schemas": {"S": {}}}}`)},
		},
		"info twice": {
			"openapi/a.json": {Data: []byte(`{"info": {}}`)},
			"openapi/b.json": {Data: []byte(`{"info": {}}`)},
		},
	}
	for name, fsys := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := merge(fsys); err == nil || !strings.Contains(err.Error(), "b.json") {
				t.Fatalf("merge = %v, want an error naming b.json", err)
			}
		})
	}
}
