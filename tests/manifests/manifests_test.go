package manifests

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const mainModule = "github.com/ghiseu/ghiseu"

// What every function reads from the environment (envFrom ghiseu-config and ghiseu-secrets).
var (
	configKeys = []string{"LOG_LEVEL", "K_SINK", "S3_ENDPOINT", "S3_REGION", "S3_BUCKET_DOCUMENTS",
		"S3_BUCKET_BACKUPS", "SHUTDOWN_TIMEOUT", "SMTP_ADDR", "SMTP_FROM", "SMTP_TLS", "PUBLIC_URL"}
	secretKeys = []string{"DATABASE_URL", "MIGRATE_DATABASE_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY",
		"PII_KEYS", "PII_INDEX_KEY"}
)

// Committed secrets must be placeholders; real ones come from the operator.
const placeholder = "REPLACE_ME"

func TestBase(t *testing.T) {
	docs, err := render(baseDir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := validateDocs(docs, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSharedConfig(c, false); err != nil {
		t.Error(err)
	}
}

func TestOverlays(t *testing.T) {
	overlays, err := subdirectories(overlaysDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(overlays) == 0 {
		t.Fatalf("no overlays under %s", overlaysDir)
	}
	for _, name := range overlays {
		t.Run(name, func(t *testing.T) {
			docs, err := render(filepath.Join(overlaysDir, name))
			if err != nil {
				t.Fatal(err)
			}
			c, err := validateDocs(docs, true)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkSharedConfig(c, true); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestRawBase reads the base files as the local dev broker does, without kustomize: they must
// be valid on their own and hold exactly the objects that kustomize deploys.
func TestRawBase(t *testing.T) {
	raw, err := readManifests(baseDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := validateDocs(raw, false); err != nil {
		t.Fatal(err)
	}
	rendered, err := render(baseDir)
	if err != nil {
		t.Fatal(err)
	}
	inFiles, deployed := objectIDs(raw), objectIDs(rendered)
	for _, id := range inFiles {
		if !slices.Contains(deployed, id) {
			t.Errorf("%s is in a file under %s but not in its kustomization.yaml", id, baseDir)
		}
	}
	for _, id := range deployed {
		if !slices.Contains(inFiles, id) {
			t.Errorf("%s is deployed but not in any file under %s", id, baseDir)
		}
	}
}

func objectIDs(docs []document) []string {
	ids := make([]string, 0, len(docs))
	for _, d := range docs {
		ids = append(ids, fmt.Sprintf("%s %s %s/%s", d.APIVersion, d.Kind, d.Metadata.Namespace, d.Metadata.Name))
	}
	return ids
}

// TestFunctionsHaveServices: one directory under functions/ is one Knative Service of the same
// name, running the image ko builds from that directory.
func TestFunctionsHaveServices(t *testing.T) {
	functions, err := subdirectories(functionsDir)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := render(baseDir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := validateDocs(docs, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range functions {
		s, ok := c.services[name]
		if !ok {
			t.Errorf("functions/%s has no Knative Service %q in %s (add functions/%s/service.yaml)", name, name, baseDir, name)
			continue
		}
		want := "ko://" + mainModule + "/functions/" + name
		for _, ctr := range s.Spec.Template.Spec.Containers {
			if ctr.Image != want {
				t.Errorf("Service %q: image %q, want %q", name, ctr.Image, want)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.services)) {
		if !slices.Contains(functions, name) {
			t.Errorf("Service %q has no directory functions/%s", name, name)
		}
	}
}

// TestBadManifests proves that the checks above catch real mistakes: each fixture is added to
// the real base and must be rejected with an error naming the problem.
func TestBadManifests(t *testing.T) {
	tests := []struct {
		file string
		want []string // substrings of the error
	}{
		{"service-misspelled-field.yaml", []string{`unknown field "containerConcurency"`}},
		{"pingsource-bad-cron.yaml", []string{"spec.schedule", "61"}},
		{"pingsource-bad-timezone.yaml", []string{"spec.timezone", "Europe/Bucuresti"}},
		{"trigger-bad-backoff.yaml", []string{"spec.delivery.backoffDelay", "5s"}},
		{"trigger-unknown-subscriber.yaml", []string{"spec.subscriber.ref", `Service "no-such-function" does not exist`}},
		{"job-runs-as-root.yaml", []string{`Job "migrate-as-root"`, "runAsNonRoot"}},
		{"httproute-unknown-backend.yaml", []string{`HTTPRoute "misrouted"`, `Service "no-such-function" does not exist`}},
		{"httproute-bad-regex.yaml", []string{`HTTPRoute "bad-regex"`, "missing closing ]"}},
		{"httproute-outside-api.yaml", []string{`HTTPRoute "admin"`, `"/admin"`, "routes serve /api/ only"}},
		{"httproute-catch-all-not-web.yaml", []string{`HTTPRoute "catch-all"`, `value "/"`, "only the web app's rule"}},
		{"httproute-site-rule-get-only.yaml", []string{`HTTPRoute "site-get-only"`, "only the web app's rule", "every method"}},
		{"httproute-second-site-rule.yaml", []string{`is there 2 times`, `HTTPRoute "api"`, `HTTPRoute "site-again"`}},
		{"httproute-rule-without-matches.yaml", []string{`HTTPRoute "matches-all"`, "spec.rules[0].matches: at least one is required"}},
	}

	base, err := render(baseDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := validateDocs(base, false); err != nil {
		t.Fatalf("the base itself is invalid (see TestBase): %v", err)
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".yaml"), func(t *testing.T) {
			bad, err := readFile(filepath.Join(badDir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = validateDocs(append(slices.Clone(base), bad...), false)
			if err == nil {
				t.Fatalf("%s was accepted", tt.file)
			}
			t.Logf("rejected: %v", err)
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not mention %q:\n%v", want, err)
				}
			}
		})
	}

	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
	}
	files, err := os.ReadDir(badDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !covered[f.Name()] {
			t.Errorf("%s/%s has no test case", badDir, f.Name())
		}
	}
}

// checkSharedConfig checks that the ConfigMap and Secret every function reads hold the keys
// the functions need, and that committed secret values are placeholders.
func checkSharedConfig(c *catalog, wantSecrets bool) error {
	var errs []error
	cm := c.configMaps["ghiseu-config"]
	if cm == nil {
		return errors.New("ConfigMap ghiseu-config does not exist")
	}
	for _, key := range configKeys {
		if cm.Data[key] == "" {
			errs = append(errs, fmt.Errorf("ConfigMap ghiseu-config: %s is not set", key))
		}
	}
	if !wantSecrets {
		return errors.Join(errs...)
	}
	s := c.secrets["ghiseu-secrets"]
	if s == nil {
		return errors.Join(append(errs, errors.New("Secret ghiseu-secrets does not exist"))...)
	}
	for _, key := range secretKeys {
		value, ok := s.Data[key]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("Secret ghiseu-secrets: %s is not set", key))
		case !strings.Contains(string(value), placeholder):
			errs = append(errs, fmt.Errorf("Secret ghiseu-secrets: %s is not a %s placeholder; never commit a real secret", key, placeholder))
		}
	}
	return errors.Join(errs...)
}
