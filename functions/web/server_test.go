package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// The fixture: a built app in <tmp>/dist, with a file beside it (outside
// the app) that no request may reach.
var (
	indexHTML = `<!doctype html><html lang="ro"><head><meta charset="utf-8"><title>Ghișeu</title>` +
		`<script type="module" src="/assets/index-B1a2c3.js"></script>` +
		`<link rel="stylesheet" href="/assets/index-D4e5f6.css"></head><body><div id="app"></div>` +
		strings.Repeat("<!-- padding so the page is worth compressing -->\n", 40) + `</body></html>`
	appJS    = strings.Repeat("export function greet(n){return `Bună ziua, ${n}!`}\n", 200)
	appCSS   = strings.Repeat("body{font-family:system-ui;margin:0}\n", 100)
	fontFile = string(bytes.Repeat([]byte{0x77, 0x4f, 0x46, 0x32, 0, 1, 2, 3}, 512)) // "wOF2"...
	faviconS = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16"/></svg>`
	robots   = "User-agent: *\nAllow: /\n"
	manifest = `{"name":"Ghișeu","start_url":"/"}`
	secret   = "module outside/the/app\n"
)

func writeApp(t *testing.T) (dir string) {
	t.Helper()
	parent := t.TempDir()
	dir = filepath.Join(parent, "dist")
	files := map[string]string{
		"index.html":              indexHTML,
		"assets/index-B1a2c3.js":  appJS,
		"assets/index-D4e5f6.css": appCSS,
		"assets/inter-G7h8.woff2": fontFile,
		"assets/config-J9k0.json": `{"locale":"ro"}`,
		"favicon.svg":             faviconS,
		"robots.txt":              robots,
		"manifest.webmanifest":    manifest,
		"docs/readme.txt":         "a directory that must not be listed",
		"unknown.xyz":             "<html><script>alert(1)</script></html>",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(parent, "go.mod"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(parent, "x"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	// Links that lead out of the app: os.Root refuses to follow them.
	if err := os.Symlink(filepath.Join(parent, "go.mod"), filepath.Join(dir, "leak.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../go.mod", filepath.Join(dir, "assets", "leak.js")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// startSite serves the app in dir as the function does (compression
// included) and returns its URL.
func startSite(t *testing.T, dir string) (*site, string) {
	t.Helper()
	s, err := openSite(dir, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	h, err := s.handler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// client sends requests as written: no Accept-Encoding of its own, no
// transparent decompression, no redirects followed, paths not cleaned.
var client = &http.Client{
	Transport:     &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

type response struct {
	status int
	header http.Header
	body   string // decompressed
}

func send(t *testing.T, method, url string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body := raw
	switch resp.Header.Get("Content-Encoding") {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("gzip body: %v", err)
		}
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("zstd body: %v", err)
		}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func TestServe(t *testing.T) {
	_, base := startSite(t, writeApp(t))
	gzipped := map[string]string{"Accept-Encoding": "gzip"}
	const problem = "application/problem+json"
	tests := []struct {
		name, method, path string
		header             map[string]string
		wantStatus         int
		wantType           string // prefix of Content-Type
		wantCache          string // Cache-Control; "-" for none
		wantBody           string // exact, when set
		wantCode           string // problem code, when a problem
		wantEncoding       string // Content-Encoding
	}{
		// The app and its routes.
		{name: "root", path: "/", wantStatus: 200, wantType: "text/html; charset=utf-8", wantCache: "no-cache", wantBody: indexHTML},
		{name: "index.html", path: "/index.html", wantStatus: 200, wantType: "text/html", wantCache: "no-cache", wantBody: indexHTML},
		{name: "route", path: "/cereri/123", wantStatus: 200, wantType: "text/html", wantCache: "no-cache", wantBody: indexHTML},
		{name: "back office route", path: "/birou/registratura", wantStatus: 200, wantType: "text/html", wantCache: "no-cache", wantBody: indexHTML},
		{name: "route with trailing slash", path: "/cereri/", wantStatus: 200, wantType: "text/html", wantCache: "no-cache", wantBody: indexHTML},
		{name: "route with query", path: "/cereri?stare=noua", wantStatus: 200, wantType: "text/html", wantCache: "no-cache", wantBody: indexHTML},
		{name: "directory is a route, never a listing", path: "/docs", wantStatus: 200, wantType: "text/html", wantBody: indexHTML},
		{name: "directory with slash", path: "/docs/", wantStatus: 200, wantType: "text/html", wantBody: indexHTML},
		{name: "file in a directory", path: "/docs/readme.txt", wantStatus: 200, wantType: "text/plain", wantCache: "no-cache"},

		// Hashed assets: cached for good; a missing one is no page.
		{name: "script", path: "/assets/index-B1a2c3.js", wantStatus: 200, wantType: "text/javascript", wantCache: cacheImmutable, wantBody: appJS},
		{name: "style", path: "/assets/index-D4e5f6.css", wantStatus: 200, wantType: "text/css", wantCache: cacheImmutable, wantBody: appCSS},
		{name: "font", path: "/assets/inter-G7h8.woff2", wantStatus: 200, wantType: "font/woff2", wantCache: cacheImmutable, wantBody: fontFile},
		{name: "json asset", path: "/assets/config-J9k0.json", wantStatus: 200, wantType: "application/json", wantCache: cacheImmutable},
		{name: "missing asset", path: "/assets/index-OLD.js", wantStatus: 404, wantType: "text/plain", wantCache: "-"},
		{name: "missing asset without extension", path: "/assets/chunk", wantStatus: 404, wantType: "text/plain"},
		{name: "assets directory", path: "/assets/", wantStatus: 404, wantType: "text/plain"},
		{name: "assets directory without slash", path: "/assets", wantStatus: 404, wantType: "text/plain"},

		// Other files: revalidated.
		{name: "favicon", path: "/favicon.svg", wantStatus: 200, wantType: "image/svg+xml", wantCache: "no-cache", wantBody: faviconS},
		{name: "robots", path: "/robots.txt", wantStatus: 200, wantType: "text/plain", wantCache: "no-cache", wantBody: robots},
		{name: "manifest", path: "/manifest.webmanifest", wantStatus: 200, wantType: "application/manifest+json", wantCache: "no-cache", wantBody: manifest},
		{name: "unknown type is not sniffed", path: "/unknown.xyz", wantStatus: 200, wantType: "application/octet-stream"},
		{name: "missing file with extension", path: "/favicon.png", wantStatus: 404, wantType: "text/plain"},
		{name: "missing file in a route", path: "/cereri/raport.pdf", wantStatus: 404, wantType: "text/plain"},
		{name: "file with a trailing slash", path: "/favicon.svg/", wantStatus: 404, wantType: "text/plain"},

		// Never outside the app.
		{name: "dot-dot", path: "/../go.mod", wantStatus: 404, wantType: "text/plain"},
		{name: "dot-dot in assets", path: "/assets/../../x", wantStatus: 404, wantType: "text/plain"},
		{name: "encoded dot-dot", path: "/%2e%2e/go.mod", wantStatus: 404, wantType: "text/plain"},
		{name: "encoded slashes", path: "/assets/..%2f..%2fx", wantStatus: 404, wantType: "text/plain"},
		{name: "dot-dot without extension", path: "/assets/../..", wantStatus: 404, wantType: "text/plain"},
		{name: "link out of the app", path: "/leak.txt", wantStatus: 404, wantType: "text/plain"},
		{name: "link out of assets", path: "/assets/leak.js", wantStatus: 404, wantType: "text/plain"},
		{name: "double slash", path: "//go.mod", wantStatus: 404, wantType: "text/plain"},

		// Not the app's.
		{name: "api", path: "/api/requests", wantStatus: 404, wantType: problem, wantCode: "not_found"},
		{name: "api root", path: "/api", wantStatus: 404, wantType: problem, wantCode: "not_found"},
		{name: "api POST", method: "POST", path: "/api/requests", wantStatus: 404, wantType: problem, wantCode: "not_found"},
		{name: "POST", method: "POST", path: "/", wantStatus: 405, wantType: problem, wantCode: "method_not_allowed"},
		{name: "PUT asset", method: "PUT", path: "/assets/index-B1a2c3.js", wantStatus: 405, wantType: problem, wantCode: "method_not_allowed"},
		{name: "DELETE route", method: "DELETE", path: "/cereri/1", wantStatus: 405, wantType: problem, wantCode: "method_not_allowed"},
		{name: "OPTIONS", method: "OPTIONS", path: "/", wantStatus: 405, wantType: problem, wantCode: "method_not_allowed"},

		// Compression: text when asked for; never what is compressed already.
		{name: "gzip script", path: "/assets/index-B1a2c3.js", header: gzipped, wantStatus: 200, wantType: "text/javascript",
			wantCache: cacheImmutable, wantBody: appJS, wantEncoding: "gzip"},
		{name: "gzip index", path: "/cereri/7", header: gzipped, wantStatus: 200, wantType: "text/html", wantCache: "no-cache",
			wantBody: indexHTML, wantEncoding: "gzip"},
		{name: "zstd preferred", path: "/assets/index-D4e5f6.css", header: map[string]string{"Accept-Encoding": "gzip, deflate, br, zstd"},
			wantStatus: 200, wantType: "text/css", wantBody: appCSS, wantEncoding: "zstd"},
		{name: "font not compressed", path: "/assets/inter-G7h8.woff2", header: gzipped, wantStatus: 200, wantType: "font/woff2",
			wantBody: fontFile},
		{name: "small file not compressed", path: "/favicon.svg", header: gzipped, wantStatus: 200, wantType: "image/svg+xml",
			wantBody: faviconS},
		{name: "range not compressed", path: "/assets/index-B1a2c3.js", header: map[string]string{"Accept-Encoding": "gzip", "Range": "bytes=0-5"},
			wantStatus: 206, wantType: "text/javascript", wantBody: appJS[:6]},

		// HEAD: the headers of GET, no body.
		{name: "HEAD route", method: "HEAD", path: "/cereri/1", wantStatus: 200, wantType: "text/html", wantCache: "no-cache", wantBody: ""},
		{name: "HEAD asset", method: "HEAD", path: "/assets/index-B1a2c3.js", header: gzipped, wantStatus: 200, wantType: "text/javascript",
			wantCache: cacheImmutable, wantBody: ""},
		{name: "HEAD missing asset", method: "HEAD", path: "/assets/nope.js", wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			got := send(t, method, base+tt.path, tt.header)
			if got.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %q", got.status, tt.wantStatus, got.body)
			}
			for k, v := range securityHeaders {
				if got.header.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, got.header.Get(k), v)
				}
			}
			if ct := got.header.Get("Content-Type"); tt.wantType != "" && !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type = %q, want %q", ct, tt.wantType)
			}
			switch cc := got.header.Get("Cache-Control"); {
			case tt.wantCache == "-" && cc != "":
				t.Errorf("Cache-Control = %q, want none", cc)
			case tt.wantCache != "" && tt.wantCache != "-" && cc != tt.wantCache:
				t.Errorf("Cache-Control = %q, want %q", cc, tt.wantCache)
			}
			if enc := got.header.Get("Content-Encoding"); enc != tt.wantEncoding {
				t.Errorf("Content-Encoding = %q, want %q", enc, tt.wantEncoding)
			}
			if tt.wantBody != "" || method == http.MethodHead {
				if got.body != tt.wantBody {
					t.Errorf("body = %.80q (%d bytes), want %.80q (%d bytes)", got.body, len(got.body), tt.wantBody, len(tt.wantBody))
				}
			}
			if strings.Contains(got.body, secret) {
				t.Errorf("answered with a file outside the app")
			}
			if got.status == 404 && got.body == indexHTML {
				t.Errorf("404 with the app's page")
			}
			if tt.wantCode != "" {
				var p struct {
					Status int    `json:"status"`
					Code   string `json:"code"`
				}
				if err := json.Unmarshal([]byte(got.body), &p); err != nil || p.Code != tt.wantCode || p.Status != tt.wantStatus {
					t.Errorf("problem = %+v (%v), want code %q", p, err, tt.wantCode)
				}
			}
			if tt.wantStatus == 405 && got.header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q, want %q", got.header.Get("Allow"), "GET, HEAD")
			}
		})
	}
}

func TestHeadMatchesGet(t *testing.T) {
	_, base := startSite(t, writeApp(t))
	for _, path := range []string{"/", "/cereri/5", "/assets/index-B1a2c3.js", "/robots.txt"} {
		get, head := send(t, "GET", base+path, nil), send(t, "HEAD", base+path, nil)
		if head.status != 200 || head.body != "" {
			t.Errorf("HEAD %s = %d with %d bytes, want 200 and no body", path, head.status, len(head.body))
		}
		for _, k := range []string{"Content-Type", "Content-Length", "Cache-Control", "ETag", "Content-Security-Policy"} {
			if head.header.Get(k) != get.header.Get(k) {
				t.Errorf("HEAD %s: %s = %q, GET has %q", path, k, head.header.Get(k), get.header.Get(k))
			}
		}
		if n, _ := strconv.Atoi(head.header.Get("Content-Length")); n != len(get.body) {
			t.Errorf("HEAD %s: Content-Length %d, GET sent %d bytes", path, n, len(get.body))
		}
	}
}

func TestConditionalRequests(t *testing.T) {
	dir := writeApp(t)
	_, base := startSite(t, dir)
	for _, path := range []string{"/", "/cereri/9", "/assets/index-B1a2c3.js"} {
		for _, enc := range []string{"", "gzip"} {
			first := send(t, "GET", base+path, map[string]string{"Accept-Encoding": enc})
			tag := first.header.Get("ETag")
			if !strings.HasPrefix(tag, `W/"`) {
				t.Fatalf("GET %s: ETag %q, want a weak tag", path, tag)
			}
			again := send(t, "GET", base+path, map[string]string{"Accept-Encoding": enc, "If-None-Match": tag})
			if again.status != http.StatusNotModified || again.body != "" {
				t.Errorf("GET %s (%q) If-None-Match: %d with %d bytes, want 304", path, enc, again.status, len(again.body))
			}
			if again.header.Get("Content-Security-Policy") == "" {
				t.Errorf("GET %s: 304 without the security headers", path)
			}
			other := send(t, "GET", base+path, map[string]string{"Accept-Encoding": enc, "If-None-Match": `W/"old"`})
			if other.status != http.StatusOK {
				t.Errorf("GET %s (%q) with a stale tag: %d, want 200", path, enc, other.status)
			}
		}
	}

	// Same tag for the compressed and identity answers; a new build, a new tag.
	plain := send(t, "GET", base+"/", nil).header.Get("ETag")
	if z := send(t, "GET", base+"/", map[string]string{"Accept-Encoding": "gzip"}); z.header.Get("Content-Encoding") != "gzip" || z.header.Get("ETag") != plain {
		t.Errorf("gzip answer: encoding %q, ETag %q, want gzip and %q", z.header.Get("Content-Encoding"), z.header.Get("ETag"), plain)
	}
	rebuilt := strings.Replace(indexHTML, "index-B1a2c3.js", "index-Z9y8x7w.js", 1)
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(rebuilt), 0o644); err != nil {
		t.Fatal(err)
	}
	got := send(t, "GET", base+"/", map[string]string{"If-None-Match": plain})
	if got.status != http.StatusOK || got.body != rebuilt || got.header.Get("ETag") == plain {
		t.Errorf("after a rebuild: %d, ETag %q (was %q), want 200 with the new page and a new tag", got.status, got.header.Get("ETag"), plain)
	}
}

func TestStartAndReadiness(t *testing.T) {
	t.Run("WEB_ROOT first, then KO_DATA_PATH", func(t *testing.T) {
		for _, tt := range []struct {
			cfg     config
			want    string
			wantErr bool
		}{
			{cfg: config{Root: "/srv/web", KoDataPath: "/var/run/ko"}, want: "/srv/web"},
			{cfg: config{KoDataPath: "/var/run/ko"}, want: "/var/run/ko/dist"},
			{cfg: config{}, wantErr: true},
		} {
			got, err := appDir(tt.cfg)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "WEB_ROOT") || !strings.Contains(err.Error(), "KO_DATA_PATH") {
					t.Errorf("appDir(%+v) = %q, %v; want an error naming WEB_ROOT and KO_DATA_PATH", tt.cfg, got, err)
				}
				continue
			}
			if err != nil || got != tt.want {
				t.Errorf("appDir(%+v) = %q, %v; want %q", tt.cfg, got, err, tt.want)
			}
		}
	})

	t.Run("refuses a directory without index.html", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "robots.txt"), []byte(robots), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := openSite(dir, testLogger(t)); err == nil || !strings.Contains(err.Error(), "index.html") || !strings.Contains(err.Error(), dir) {
			t.Errorf("openSite = %v, want an error naming %s and index.html", err, dir)
		}
	})

	t.Run("refuses a directory that is not there", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "dist")
		if _, err := openSite(dir, testLogger(t)); err == nil || !strings.Contains(err.Error(), dir) {
			t.Errorf("openSite = %v, want an error naming %s", err, dir)
		}
	})

	t.Run("not ready without index.html", func(t *testing.T) {
		dir := writeApp(t)
		s, base := startSite(t, dir)
		if err := s.checkIndex(context.Background()); err != nil {
			t.Fatalf("checkIndex = %v, want ready", err)
		}
		if err := os.Remove(filepath.Join(dir, "index.html")); err != nil {
			t.Fatal(err)
		}
		if err := s.checkIndex(context.Background()); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("checkIndex without index.html = %v, want not exist", err)
		}
		if got := send(t, "GET", base+"/cereri/1", nil); got.status != http.StatusServiceUnavailable || got.header.Get("Content-Security-Policy") == "" {
			t.Errorf("a route without index.html: %d, want 503 with the security headers", got.status)
		}
	})
}

func TestCompressible(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/html; charset=utf-8":       true,
		"text/javascript; charset=utf-8": true,
		"text/css; charset=utf-8":        true,
		"application/json":               true,
		"application/manifest+json":      true,
		"application/problem+json":       true,
		"image/svg+xml":                  true,
		"font/woff2":                     false,
		"image/png":                      false,
		"image/webp":                     false,
		"application/octet-stream":       false,
		"":                               false,
	} {
		if got := compressible(ct); got != want {
			t.Errorf("compressible(%q) = %v, want %v", ct, got, want)
		}
	}
}

// TestKodataLinksTheBuild: ko copies kodata into the image, following the
// links inside it but not kodata itself (its walk starts with an Lstat of
// kodata), so kodata is a directory and the build is linked inside it, where
// appDir looks for it.
func TestKodataLinksTheBuild(t *testing.T) {
	info, err := os.Lstat("kodata")
	if err != nil {
		t.Fatal(err)
	}
	if !info.IsDir() {
		t.Fatalf("kodata is %v, want a directory: ko would not follow a link there and the image would hold no app", info.Mode())
	}
	target, err := os.Readlink(filepath.Join("kodata", koDataApp))
	if err != nil {
		t.Fatalf("kodata/%s: %v, want a link to the build", koDataApp, err)
	}
	if want := "../../../web/dist"; target != want {
		t.Errorf("kodata/%s links to %q, want %q", koDataApp, target, want)
	}
}
