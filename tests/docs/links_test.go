// Package docs checks the repository's own documentation: every relative
// link in README.md, docs/*.md, k8s/README.md and BENCHMARKS.md names a file
// of the repository (and, with an anchor, one of that file's headings), no
// link or quoted path leads out of the repository, and every path the text
// quotes under a top-level directory (`shared/registry`) exists. A clone is
// all a reader has: a link to a sibling directory of the author's machine
// is dead there.
package docs

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// documents are the files checked, relative to the repository's root;
// patterns are expanded with filepath.Glob.
var documents = []string{"README.md", "BENCHMARKS.md", "k8s/README.md", "docs/*.md"}

// required are the documents the README's pointers rely on.
var required = []string{"docs/architecture.md", "docs/domain.md", "docs/operations.md"}

func TestDocumentationLinksStayInTheRepository(t *testing.T) {
	root := repoRoot(t)
	for _, name := range required {
		if _, err := os.Stat(filepath.Join(root, name)); err != nil {
			t.Errorf("%s is missing: %v", name, err)
		}
	}
	var files []string
	for _, pattern := range documents {
		matches, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		if len(matches) == 0 {
			t.Errorf("no document matches %s", pattern)
		}
		files = append(files, matches...)
	}
	for _, file := range files {
		rel, _ := filepath.Rel(root, file)
		t.Run(rel, func(t *testing.T) {
			for _, problem := range check(root, file) {
				t.Error(problem)
			}
		})
	}
}

// TestCheckFindsEveryKindOfBrokenLink shows the checker refuses what it
// exists to refuse, on a small repository of its own.
func TestCheckFindsEveryKindOfBrokenLink(t *testing.T) {
	root := t.TempDir()
	write(t, root, "go.mod", "module example\n")
	write(t, root, "shared/registry/registry.go", "package registry\n")
	write(t, root, "docs/other.md", "# Other page\n\n## Backups and restore\n\n## Backups and restore\n")
	write(t, root, "README.md", strings.Join([]string{
		"# Title",
		"[fine](docs/other.md) [fine anchor](docs/other.md#backups-and-restore-1) [own](#title)",
		"[web](https://example.org/x) [mail](mailto:a@example.org) `shared/registry` `shared/<name>` `shared/...`",
		"```",
		"[inside a fence](nowhere.md) `shared/nothing`",
		"```",
		"[missing](docs/missing.md)",
		"[bad anchor](docs/other.md#nothing)",
		"[outside](../shared/SPEC.md)",
		"[absolute](/etc/passwd)",
		"[bad own anchor](#nothing)",
		"quoted: `../shared/DESIGN.md` and `shared/nothing`",
		"[ref]: ../elsewhere.md",
	}, "\n"))

	write(t, root, "k8s/base/config.yaml", "kind: ConfigMap\n")
	write(t, root, "k8s/README.md", "`base/config.yaml` `base/missing.yaml` `shared/registry` `overlays/x.yaml`\n")
	if got, want := check(root, filepath.Join(root, "k8s/README.md")), []string{"k8s/README.md:1: `base/missing.yaml` does not exist"}; !slices.Equal(got, want) {
		t.Errorf("k8s/README.md problems: %q, want %q", got, want)
	}

	got := check(root, filepath.Join(root, "README.md"))
	want := []string{
		"README.md:7: docs/missing.md does not exist",
		"README.md:8: docs/other.md has no heading #nothing",
		"README.md:9: ../shared/SPEC.md points outside the repository",
		"README.md:10: /etc/passwd is an absolute path, not a link within the repository",
		"README.md:11: README.md has no heading #nothing",
		"README.md:12: `../shared/DESIGN.md` points outside the repository",
		"README.md:12: `shared/nothing` does not exist",
		"README.md:13: ../elsewhere.md points outside the repository",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAnchor(t *testing.T) {
	tests := []struct{ heading, want string }{
		{"Backups and restore", "backups-and-restore"},
		{"What `make run` starts", "what-make-run-starts"},
		{"Law 544/2001: public information", "law-5442001-public-information"},
		{"Registry numbering (Law 16/1996)", "registry-numbering-law-161996"},
		{"Termene și zile libere", "termene-și-zile-libere"},
		{"[Linked](x.md) heading", "linked-heading"},
		{"Dead letters, replay & the outbox", "dead-letters-replay--the-outbox"},
	}
	for _, tt := range tests {
		if got := anchor(tt.heading); got != tt.want {
			t.Errorf("anchor(%q) = %q, want %q", tt.heading, got, tt.want)
		}
	}
}

var (
	fence     = regexp.MustCompile("^\\s{0,3}(```|~~~)")
	heading   = regexp.MustCompile(`^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	codeSpan  = regexp.MustCompile("`([^`]+)`")
	inline    = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	reference = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$`)
	scheme    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
	// quotedPath is a path quoted in the text, under a top-level directory
	// of the repository; one with placeholders (<name>, *, ...) is a pattern.
	quotedPath = regexp.MustCompile(`^(functions|shared|infra|k8s|tests|web|docs)(/|$)`)
	// relativePath is a relative path: names joined by slashes, no placeholders.
	relativePath = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)*/?$`)
)

// besideDocument reports whether quoted starts with a directory that sits
// beside file, a document below the repository's root.
func besideDocument(file, root, quoted string) bool {
	dir := filepath.Dir(file)
	if dir == root {
		return false
	}
	first, _, found := strings.Cut(quoted, "/")
	if !found {
		return false
	}
	info, err := os.Stat(filepath.Join(dir, first))
	return err == nil && info.IsDir()
}

// generated are paths the build makes, absent from a clone.
var generated = []string{"web/dist", "web/node_modules", "web/e2e/artifacts"}

// line is a line of a document outside code fences.
type line struct {
	number int
	text   string
}

// prose returns the lines of a document that are not inside code fences.
func prose(content string) []line {
	var out []line
	inFence := false
	for i, text := range strings.Split(content, "\n") {
		if fence.MatchString(text) {
			inFence = !inFence
			continue
		}
		if !inFence {
			out = append(out, line{number: i + 1, text: text})
		}
	}
	return out
}

// anchors returns the anchors GitHub gives the headings of a document.
func anchors(content string) map[string]bool {
	seen := map[string]int{}
	out := map[string]bool{}
	for _, l := range prose(content) {
		m := heading.FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		a := anchor(m[1])
		if n := seen[a]; n > 0 {
			out[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

// anchor is GitHub's anchor of a heading: its text without markup, lower
// case, punctuation dropped (letters of every script, digits, spaces,
// hyphens and underscores stay), spaces turned into hyphens.
func anchor(text string) string {
	text = inline.ReplaceAllStringFunc(text, func(link string) string {
		return link[strings.Index(link, "[")+1 : strings.Index(link, "]")]
	})
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

// check returns the problems of one document: links that lead nowhere or
// out of the repository, quoted paths that do not exist.
func check(root, file string) []string {
	content, err := os.ReadFile(file)
	if err != nil {
		return []string{err.Error()}
	}
	name, _ := filepath.Rel(root, file)
	var problems []string
	report := func(l line, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: ", filepath.ToSlash(name), l.number)+fmt.Sprintf(format, args...))
	}
	for _, l := range prose(string(content)) {
		var targets []string
		for _, m := range codeSpan.FindAllStringSubmatch(l.text, -1) {
			quoted := strings.TrimSpace(m[1])
			switch {
			case strings.HasPrefix(quoted, "../"):
				report(l, "`%s` points outside the repository", quoted)
			case strings.Contains(quoted, "...") || !relativePath.MatchString(quoted):
			case quotedPath.MatchString(quoted) && !isGenerated(quoted):
				if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(quoted))); err != nil {
					report(l, "`%s` does not exist", quoted)
				}
			case besideDocument(file, root, quoted):
				// A document below the root quotes its neighbours relative to
				// itself (k8s/README.md: `base/config.yaml`).
				if _, err := os.Lstat(filepath.Join(filepath.Dir(file), filepath.FromSlash(quoted))); err != nil {
					report(l, "`%s` does not exist", quoted)
				}
			}
		}
		// Links inside code spans are text, not links.
		text := codeSpan.ReplaceAllString(l.text, "")
		for _, m := range inline.FindAllStringSubmatch(text, -1) {
			targets = append(targets, m[1])
		}
		if m := reference.FindStringSubmatch(text); m != nil {
			targets = append(targets, m[1])
		}
		for _, target := range targets {
			if problem := checkTarget(root, file, target); problem != "" {
				report(l, "%s", problem)
			}
		}
	}
	return problems
}

// checkTarget returns what is wrong with one link target of file, or "".
func checkTarget(root, file, target string) string {
	switch {
	case scheme.MatchString(target):
		return "" // a web address or mailto: not the repository's business
	case strings.HasPrefix(target, "/"):
		return target + " is an absolute path, not a link within the repository"
	}
	path, fragment, _ := strings.Cut(target, "#")
	if unescaped, err := url.PathUnescape(path); err == nil {
		path = unescaped
	}
	resolved := file
	if path != "" {
		resolved = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
	}
	rel, err := filepath.Rel(root, resolved)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return target + " points outside the repository"
	}
	info, err := os.Stat(resolved)
	if err != nil {
		return path + " does not exist"
	}
	if fragment == "" || info.IsDir() || !strings.HasSuffix(resolved, ".md") {
		return ""
	}
	content, err := os.ReadFile(resolved)
	if err != nil {
		return err.Error()
	}
	if !anchors(string(content))[fragment] {
		return filepath.ToSlash(rel) + " has no heading #" + fragment
	}
	return ""
}

func isGenerated(path string) bool {
	for _, g := range generated {
		if path == g || strings.HasPrefix(path, g+"/") {
			return true
		}
	}
	return false
}

// repoRoot is the directory of the repository's go.mod, above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(b), "module github.com/ghiseu/ghiseu\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod of github.com/ghiseu/ghiseu above the test")
		}
		dir = parent
	}
}

func write(t *testing.T, root, name, content string) {
	t.Helper()
	path := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
