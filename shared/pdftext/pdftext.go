// Package pdftext extracts the text of PDF files, for full-text search of
// the documents of registry entries.
//
// The files come from citizens and other institutions, so they are hostile
// input: the PDF library (github.com/ledongthuc/pdf) panics on much that is
// malformed, and every such panic becomes ErrUnreadable. The text kept is
// capped, and extraction stops once the cap is reached, so a huge document
// costs no more than its first pages. The file is read through an
// io.ReaderAt, which blob.Store.ReaderAt provides over object storage with
// bounded memory.
package pdftext

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// ErrUnreadable: the file is not a PDF the library can read (malformed,
// truncated, encrypted with a password); test for it with errors.Is.
var ErrUnreadable = errors.New("unreadable PDF")

// Extract returns the text of the PDF of size bytes read from r, page after
// page, at most maxText bytes of it (cut at a character boundary); a
// maxText of zero or less returns no text and reads nothing. The text is
// valid UTF-8 without control characters other than line breaks (PostgreSQL
// text columns refuse NUL), with a line break between pages that have text.
//
// ctx is checked between pages: a cancelled ctx stops the extraction with
// ctx's error. A page is parsed whole, so a page of pathological content
// still takes as long as the library takes.
func Extract(ctx context.Context, r io.ReaderAt, size int64, maxText int) (text string, err error) {
	if maxText <= 0 {
		return "", nil
	}
	// The library reports malformed input by panicking, deep inside and
	// also outside the page parser (which recovers its own): catch them
	// all here.
	defer func() {
		if p := recover(); p != nil {
			text, err = "", fmt.Errorf("%w: %v", ErrUnreadable, p)
		}
	}()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	doc, err := pdf.NewReader(r, size)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	var b strings.Builder
	pages := 0
	w := &pageWalker{ctx: ctx, fn: func(page pdf.Page) (bool, error) {
		pages++
		s, err := page.GetPlainText(nil)
		if err != nil {
			return false, fmt.Errorf("%w: page %d: %w", ErrUnreadable, pages, err)
		}
		// The library starts every text object on a new line.
		if s = strings.TrimSpace(s); s != "" {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			writeClean(&b, s, maxText)
		}
		return b.Len() < maxText, nil
	}}
	if _, err := w.walk(doc.Trailer().Key("Root").Key("Pages"), 0); err != nil {
		return "", err
	}
	// A page break written just before the cap is not text.
	return strings.TrimRight(b.String(), "\n"), nil
}

// Bounds on the page tree: real ones are a few levels deep with a node
// per few pages, and a hostile one could loop (a node among its own kids).
const (
	maxDepth = 32
	maxNodes = 200_000
)

// pageWalker calls fn for the pages of a page tree in order, until fn
// returns false or an error. The library's Reader.Page walks the tree from
// its root for every page, re-reading every node on the way (it caches no
// object): reads quadratic in the pages.
type pageWalker struct {
	ctx   context.Context
	nodes int
	fn    func(pdf.Page) (bool, error)
}

func (w *pageWalker) walk(node pdf.Value, depth int) (bool, error) {
	if w.nodes++; w.nodes > maxNodes || depth > maxDepth {
		return false, fmt.Errorf("%w: the page tree goes beyond %d nodes or %d levels", ErrUnreadable, maxNodes, maxDepth)
	}
	if err := w.ctx.Err(); err != nil {
		return false, err
	}
	kids := node.Key("Kids")
	if kids.Kind() != pdf.Array {
		if node.Kind() != pdf.Dict {
			return false, fmt.Errorf("%w: a page is not a dictionary", ErrUnreadable)
		}
		return w.fn(pdf.Page{V: node})
	}
	for i := range kids.Len() {
		if more, err := w.walk(kids.Index(i), depth+1); !more || err != nil {
			return false, err
		}
	}
	return true, nil
}

// writeClean appends s to b, without invalid UTF-8 or control characters
// (replaced by a space; line breaks stay), stopping before b would exceed
// limit bytes: a character that does not fit whole is left out.
func writeClean(b *strings.Builder, s string, limit int) {
	for _, c := range s { // invalid bytes come as utf8.RuneError
		switch {
		case c == '\n':
		case c == utf8.RuneError, unicode.IsControl(c):
			c = ' '
		}
		if b.Len()+utf8.RuneLen(c) > limit {
			return
		}
		b.WriteRune(c)
	}
}
