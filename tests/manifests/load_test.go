// Package manifests validates the Kubernetes manifests under k8s/ offline, against the real
// Knative, Kubernetes and CloudNativePG Go types. It is a module of its own so that those
// heavy dependencies never reach the function binaries.
package manifests

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// Paths relative to this package; `go test` runs in the package directory.
const (
	mainModuleDir = "../.."
	k8sDir        = mainModuleDir + "/k8s"
	baseDir       = k8sDir + "/base"
	overlaysDir   = k8sDir + "/overlays"
	functionsDir  = mainModuleDir + "/functions"
	badDir        = "testdata/bad"
)

// document is one Kubernetes object as YAML, with the header fields needed to pick its type.
type document struct {
	source string // file or kustomization it came from, for error messages
	raw    []byte
	header
}

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

func (d document) String() string {
	return fmt.Sprintf("%s %s %q (%s)", d.APIVersion, d.Kind, d.Metadata.Name, d.source)
}

func parseDocument(source string, raw []byte) (document, error) {
	d := document{source: source, raw: raw}
	// Only the header here; the strict decode into the real type comes later.
	if err := yaml.Unmarshal(raw, &d.header); err != nil {
		return d, fmt.Errorf("%s: %w", source, err)
	}
	if d.APIVersion == "" || d.Kind == "" || d.Metadata.Name == "" {
		return d, fmt.Errorf("%s: object without apiVersion, kind or metadata.name", source)
	}
	return d, nil
}

// render builds a kustomization the way `kubectl kustomize` does.
func render(dir string) ([]document, error) {
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	var docs []document
	for _, r := range resources.Resources() {
		raw, err := r.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("kustomize build %s: %s: %w", dir, r.CurId(), err)
		}
		d, err := parseDocument("kustomize build "+dir, raw)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// readManifests reads every YAML object under dir as a file, without kustomize, the way the
// local dev broker does. Kustomization files are not objects and are skipped.
func readManifests(dir string) ([]document, error) {
	var docs []document
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !isManifest(path) {
			return err
		}
		fileDocs, err := readFile(path)
		docs = append(docs, fileDocs...)
		return err
	})
	return docs, err
}

func isManifest(path string) bool {
	ext := filepath.Ext(path)
	return (ext == ".yaml" || ext == ".yml") && !strings.HasPrefix(filepath.Base(path), "kustomization.")
}

func readFile(path string) ([]document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs []document
	for {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var content map[string]any
		if err := yaml.Unmarshal(raw, &content); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(content) == 0 {
			continue // only comments or an empty document between separators
		}
		d, err := parseDocument(path, raw)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
}

// subdirectories lists the directories directly under dir.
func subdirectories(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}
