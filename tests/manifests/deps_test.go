package manifests

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// Function binaries stay small and start fast: knative.dev/pkg is imported only through its
// light packages (signals, network, logging), never one that drags in the Kubernetes client.
var forbiddenInFunctions = []string{"k8s.io/client-go", "k8s.io/apimachinery"}

func TestFunctionsDoNotLinkClientGo(t *testing.T) {
	cmd := exec.CommandContext(t.Context(), "go", "list", "-deps",
		"-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./functions/...")
	cmd.Dir = mainModuleDir
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			t.Fatalf("go list -deps ./functions/... in %s: %v\n%s", mainModuleDir, err, exitErr.Stderr)
		}
		t.Fatalf("go list -deps ./functions/... in %s: %v", mainModuleDir, err)
	}

	functions := 0
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg, imports := fields[0], fields[1:]
		if strings.HasPrefix(pkg, mainModule+"/functions/") {
			functions++
		}
		if forbidden(pkg) {
			continue // report where the forbidden tree is entered, not every package inside it
		}
		for _, imp := range imports {
			if forbidden(imp) {
				t.Errorf("%s imports %s: function binaries must not link the Kubernetes client", pkg, imp)
			}
		}
	}
	if functions == 0 {
		t.Fatal("go list found no packages under functions/: the check would prove nothing")
	}
}

func forbidden(pkg string) bool {
	for _, prefix := range forbiddenInFunctions {
		if pkg == prefix || strings.HasPrefix(pkg, prefix+"/") {
			return true
		}
	}
	return false
}
