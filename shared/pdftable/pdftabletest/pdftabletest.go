// Package pdftabletest reads back the text of a PDF the way it is laid out,
// for tests of the PDFs package pdftable (and gopdf in general) writes.
//
// ledongthuc/pdf's own GetTextByRow cannot be used for that: it takes text
// positions only from the Tm operator, while gopdf positions every piece of
// text with TD, so all of a page comes back as one row, in an order its
// unstable sort may scramble. Pages interprets the content streams itself.
package pdftabletest

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ledongthuc/pdf"
)

// Pages returns the text of each page of the PDF b: a line per baseline, top
// to bottom, each the pieces of text on that baseline (the cells of a table
// row) left to right, joined by a space.
func Pages(b []byte) (pages []string, err error) {
	// ledongthuc/pdf reports malformed content by panicking.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdftabletest: malformed PDF: %v", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("pdftabletest: %w", err)
	}
	for i := 1; i <= r.NumPage(); i++ {
		pages = append(pages, page(r.Page(i)))
	}
	return pages, nil
}

// Text is Pages with the pages joined, one after the other.
func Text(b []byte) (string, error) {
	p, err := Pages(b)
	return strings.Join(p, ""), err
}

// Flat reduces every run of white space in s, line breaks included, to one
// space, so that text wrapped over several lines can be compared with the
// text as given.
func Flat(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

type piece struct {
	x, y float64
	s    string
}

func page(p pdf.Page) string {
	encoders := map[string]pdf.TextEncoding{}
	encoder := func(name string) pdf.TextEncoding {
		if e, ok := encoders[name]; ok {
			return e
		}
		f := p.Font(name)
		e := f.Encoder()
		encoders[name] = e
		return e
	}

	var (
		pieces []piece
		x, y   float64
		enc    pdf.TextEncoding
	)
	show := func(s string) {
		if enc != nil && s != "" {
			pieces = append(pieces, piece{x, y, enc.Decode(s)})
		}
	}
	pdf.Interpret(p.V.Key("Contents"), func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "BT":
			x, y = 0, 0
		case "Td", "TD":
			if len(args) == 2 {
				x += args[0].Float64()
				y += args[1].Float64()
			}
		case "Tm":
			if len(args) == 6 {
				x, y = args[4].Float64(), args[5].Float64()
			}
		case "Tf":
			if len(args) == 2 {
				enc = encoder(args[0].Name())
			}
		case "Tj":
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "TJ":
			if len(args) == 1 {
				var sb strings.Builder
				for i := range args[0].Len() {
					sb.WriteString(args[0].Index(i).RawString())
				}
				show(sb.String())
			}
		}
	})

	// Top to bottom (PDF y grows upwards), then left to right; pieces less
	// than a point apart vertically share a baseline.
	slices.SortStableFunc(pieces, func(a, b piece) int { return cmp.Compare(b.y, a.y) })
	var lines [][]piece
	for _, pc := range pieces {
		if n := len(lines); n > 0 && lines[n-1][0].y-pc.y < 1 {
			lines[n-1] = append(lines[n-1], pc)
			continue
		}
		lines = append(lines, []piece{pc})
	}
	var sb strings.Builder
	for _, line := range lines {
		slices.SortStableFunc(line, func(a, b piece) int { return cmp.Compare(a.x, b.x) })
		for j, pc := range line {
			if j > 0 {
				sb.WriteString(" ")
			}
			sb.WriteString(pc.s)
		}
		sb.WriteString("\n")
	}
	return sb.String()
}
