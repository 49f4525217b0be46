// Package pdffonts holds the fonts the platform's PDFs are set in: DejaVu
// Sans, regular and bold (see LICENSE), embedded in the binary.
//
// DejaVu Sans covers every Romanian letter (ă â î ș ț Ă Â Î Ș Ț, both the
// comma-below and the cedilla forms), unlike the PDF base-14 fonts, whose
// WinAnsi encoding lacks ș and ț. Callers hand the bytes to their PDF
// library, which subsets them into each document.
package pdffonts

import _ "embed" // for go:embed

// The fonts are embedded as strings, not byte slices, so that nothing can
// change them: every caller gets its own copy.
var (
	//go:embed DejaVuSans.ttf
	regular string
	//go:embed DejaVuSans-Bold.ttf
	bold string
)

// Regular returns the TrueType data of DejaVu Sans, a fresh copy the
// caller may keep or change.
func Regular() []byte { return []byte(regular) }

// Bold returns the TrueType data of DejaVu Sans Bold, a fresh copy as in
// Regular.
func Bold() []byte { return []byte(bold) }
