package httpapi

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"reflect"
	"sort"
	"sync"
)

// The OpenAPI document is kept in fragments, one per function (and
// base.json with the info and shared components), so each function's routes
// are described beside each other; they are merged into one document here.
//
//go:embed openapi/*.json
var fragments embed.FS

// merged is the whole document, built once.
var merged = sync.OnceValues(func() ([]byte, error) { return merge(fragments) })

// OpenAPI returns the OpenAPI 3.1 document of every HTTP route the gateway
// serves. Tests check handlers' responses against it, and access.Router
// refuses to serve a route it does not describe, so it cannot drift.
func OpenAPI() []byte {
	b, err := merged()
	if err != nil {
		// The fragments are embedded: a broken one fails every test.
		panic(err)
	}
	return append([]byte(nil), b...)
}

func merge(fsys fs.FS) ([]byte, error) {
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var doc map[string]any
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := json.Unmarshal(b, &frag); err != nil {
			return nil, fmt.Errorf("OpenAPI fragment %s: %w", name, err)
		}
		if doc == nil {
			doc = map[string]any{"paths": map[string]any{}, "components": map[string]any{}}
		}
		for key, value := range frag {
			switch key {
			case "paths":
				if err := mergeInto(doc["paths"].(map[string]any), value, name, "paths"); err != nil {
					return nil, err
				}
			case "components":
				comps, _ := value.(map[string]any)
				for kind, entries := range comps {
					dst, _ := doc["components"].(map[string]any)[kind].(map[string]any)
					if dst == nil {
						dst = map[string]any{}
						doc["components"].(map[string]any)[kind] = dst
					}
					if err := mergeInto(dst, entries, name, "components."+kind); err != nil {
						return nil, err
					}
				}
			default:
				if _, dup := doc[key]; dup {
					return nil, fmt.Errorf("OpenAPI fragment %s: %q is set by another fragment", name, key)
				}
				doc[key] = value
			}
		}
	}
	return json.Marshal(doc)
}

func mergeInto(dst map[string]any, src any, fragment, where string) error {
	entries, ok := src.(map[string]any)
	if !ok {
		return fmt.Errorf("OpenAPI fragment %s: %s is not an object", fragment, where)
	}
	for k, v := range entries {
		prev, dup := dst[k]
		if dup && where == "paths" {
			// Two functions may serve one path with different methods (a
			// citizen POSTs a request, staff GET the work list).
			if err := mergePath(prev, v, fragment, k); err != nil {
				return err
			}
			continue
		}
		if dup {
			return fmt.Errorf("OpenAPI fragment %s: %s.%s is defined twice", fragment, where, k)
		}
		dst[k] = v
	}
	return nil
}

// mergePath adds src's operations to the path item dst; the path's
// parameters must be the same in both, and no method may be defined twice.
func mergePath(dst, src any, fragment, path string) error {
	d, ok1 := dst.(map[string]any)
	s, ok2 := src.(map[string]any)
	if !ok1 || !ok2 {
		return fmt.Errorf("OpenAPI fragment %s: paths.%s is not an object", fragment, path)
	}
	for k, v := range s {
		prev, dup := d[k]
		switch {
		case !dup:
			d[k] = v
		case k == "parameters" && reflect.DeepEqual(prev, v):
		default:
			return fmt.Errorf("OpenAPI fragment %s: paths.%s.%s is defined twice", fragment, path, k)
		}
	}
	return nil
}
