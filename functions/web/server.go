package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzhttp"

	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// securityHeaders are set on every response. The policy allows only this
// origin's own scripts, styles, fonts and API (the build inlines nothing:
// web/vite.config.ts), images also from data: and blob: URLs (previews of
// files the user picks), no plugins, no framing, no forms sent elsewhere.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
		"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
	"X-Content-Type-Options":     "nosniff",
	"Referrer-Policy":            "same-origin",
	"X-Frame-Options":            "DENY",
	"Permissions-Policy":         "camera=(), microphone=(), geolocation=(), payment=()",
	"Cross-Origin-Opener-Policy": "same-origin",
	"Strict-Transport-Security":  "max-age=31536000",
}

// Cache policies: Vite names what it puts under assets/ by the hash of its
// content, so a name never changes meaning; everything else (index.html
// first) names the current build and is revalidated on every use (cheap:
// the ETag answers 304).
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// assetsDir is where Vite puts the hashed files.
const assetsDir = "assets"

// contentTypes are the types of the files a build holds, fixed here rather
// than read from the system's mime.types, which the image does not have.
// Scripts and styles must be right: with nosniff a browser refuses a
// script or a style served under another type.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/vnd.microsoft.icon",
	".woff2":       "font/woff2",
	".woff":        "font/woff",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".txt":         "text/plain; charset=utf-8",
	".xml":         "application/xml",
	".pdf":         "application/pdf",
	".wasm":        "application/wasm",
}

// contentType is the type of a file named name. An unknown extension is
// served as bytes, the same here as in the image: never sniffed, so no file
// is ever taken for HTML.
func contentType(name string) string {
	if t, ok := contentTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// compressible says whether a response of type ct gains from compression:
// text, and the binary formats that are not compressed already (woff2,
// PNG, JPEG and WebP are).
func compressible(ct string) bool {
	mediaType, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if strings.HasPrefix(mediaType, "text/") || strings.HasSuffix(mediaType, "+json") || strings.HasSuffix(mediaType, "+xml") {
		return true
	}
	switch mediaType {
	case "application/json", "application/xml", "application/wasm", "font/ttf", "font/otf", "image/vnd.microsoft.icon":
		return true
	}
	return false
}

// site serves one built app. Its files are read through an os.Root, so no
// name reaches outside the directory, by ".." or by a symbolic link.
type site struct {
	root *os.Root
	log  *slog.Logger
	// etags caches each file's entity tag, keyed by name, while the file's
	// size and modification time stay the same.
	etags sync.Map
}

type etagEntry struct {
	size    int64
	modTime time.Time
	tag     string
}

// openSite opens dir, which must hold index.html.
func openSite(dir string, log *slog.Logger) (*site, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("web app directory: %w", err)
	}
	s := &site{root: root, log: log}
	if err := s.checkIndex(context.Background()); err != nil {
		_ = root.Close()
		return nil, fmt.Errorf("web app directory %s is not a built app (`make web` builds web/dist): %w", dir, err)
	}
	return s, nil
}

func (s *site) close() { _ = s.root.Close() }

// checkIndex is the readiness check: index.html can be read.
func (s *site) checkIndex(context.Context) error {
	f, info, err := s.open("index.html")
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, f); err != nil {
		return fmt.Errorf("index.html: %w", err)
	}
	if info.Size() == 0 {
		return errors.New("index.html is empty")
	}
	return nil
}

// handler is the site with its answers compressed (gzip, or zstd when the
// client prefers it) when they are text and large enough to gain from it.
// Ranges are served uncompressed (gzhttp leaves a Content-Range alone).
func (s *site) handler() (http.Handler, error) {
	compress, err := gzhttp.NewWrapper(gzhttp.ContentTypeFilter(compressible))
	if err != nil {
		return nil, fmt.Errorf("compression: %w", err)
	}
	return compress(s), nil
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, v := range securityHeaders {
		h.Set(k, v)
	}
	p := r.URL.Path
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		// The gateway sends the API to the functions; what falls through
		// to the app is no route of either.
		httpapi.NotFound(w)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
			Detail: "the web app is only read, with GET or HEAD"})
		return
	}

	name, ok := strings.CutPrefix(p, "/")
	if !ok {
		notFound(w)
		return
	}
	dirPath := strings.HasSuffix(name, "/")
	name = strings.TrimSuffix(name, "/")
	switch {
	case name == "":
		s.serveIndex(w, r)
	case !fs.ValidPath(name):
		// ".", ".." or an empty element: never a file of the app.
		notFound(w)
	case name == assetsDir || strings.HasPrefix(name, assetsDir+"/"):
		// A missing asset is an old build's: index.html in its place would
		// only be misread as a script or a style.
		if dirPath || !s.serveFile(w, r, name, cacheImmutable) {
			notFound(w)
		}
	default:
		if !dirPath && s.serveFile(w, r, name, cacheRevalidate) {
			return
		}
		if path.Ext(name) != "" {
			// A file that is not there (/favicon.png): no route of the app.
			notFound(w)
			return
		}
		// One of the app's own routes (/cereri/123): the app reads the path.
		s.serveIndex(w, r)
	}
}

// notFound is the answer for a file that is not there: plain text, as a
// static file server gives, never index.html.
func notFound(w http.ResponseWriter) {
	http.Error(w, "404 page not found", http.StatusNotFound)
}

func (s *site) serveIndex(w http.ResponseWriter, r *http.Request) {
	if !s.serveFile(w, r, "index.html", cacheRevalidate) {
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusServiceUnavailable, Code: "unavailable",
			Detail: "the web app cannot be read"})
	}
}

// open opens name when it is a regular file.
func (s *site) open(name string) (*os.File, fs.FileInfo, error) {
	f, err := s.root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: not a regular file", name)
	}
	return f, info, nil
}

// serveFile serves the regular file name with the cache policy cache, or
// reports false, having written nothing, when there is none. Conditional
// (If-None-Match, If-Modified-Since) and range requests are answered by
// http.ServeContent.
func (s *site) serveFile(w http.ResponseWriter, r *http.Request, name, cache string) bool {
	f, info, err := s.open(name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			// A directory, or a link leading outside the root: not served,
			// but worth knowing of.
			s.log.Debug("not served", "path", name, "error", err.Error())
		}
		return false
	}
	defer f.Close()
	tag, err := s.etag(name, f, info)
	if err != nil {
		s.log.Warn("reading a file of the web app", "path", name, "error", err.Error())
		return false
	}
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	h.Set("Cache-Control", cache)
	h.Set("ETag", tag)
	http.ServeContent(w, r, name, info.ModTime(), f)
	return true
}

// etag is a hash of f's content, computed once per version of the file
// (same size and modification time) and left at the file's start. It is
// weak (W/): the same tag stands for the compressed and the identity
// representation, so If-None-Match matches whichever the client cached
// (a strong tag would have to differ between them). The content decides,
// not the time: ko gives every file in the image the same time.
func (s *site) etag(name string, f *os.File, info fs.FileInfo) (string, error) {
	if e, ok := s.etags.Load(name); ok {
		if e := e.(etagEntry); e.size == info.Size() && e.modTime.Equal(info.ModTime()) {
			return e.tag, nil
		}
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	tag := `W/"` + base64.RawURLEncoding.EncodeToString(sum.Sum(nil)[:18]) + `"`
	s.etags.Store(name, etagEntry{size: info.Size(), modTime: info.ModTime(), tag: tag})
	return tag, nil
}
