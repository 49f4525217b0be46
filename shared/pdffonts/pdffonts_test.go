package pdffonts_test

import (
	"bytes"
	"testing"

	"github.com/signintech/gopdf"

	"github.com/ghiseu/ghiseu/shared/pdffonts"
)

func TestFonts(t *testing.T) {
	tests := []struct {
		name  string
		font  func() []byte
		style int
	}{
		{"regular", pdffonts.Regular, gopdf.Regular},
		{"bold", pdffonts.Bold, gopdf.Bold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.font()
			// A TrueType font starts with the sfnt version 1.0.
			if !bytes.HasPrefix(b, []byte{0, 1, 0, 0}) {
				t.Fatalf("data starts with % x, want a TrueType header", b[:min(len(b), 4)])
			}
			var pdf gopdf.GoPdf
			pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
			if err := pdf.AddTTFFontDataWithOption("f", b, gopdf.TtfOption{Style: tt.style}); err != nil {
				t.Fatalf("gopdf rejects the font: %v", err)
			}
			pdf.AddPage()
			style := ""
			if tt.style == gopdf.Bold {
				style = "B"
			}
			if err := pdf.SetFont("f", style, 12); err != nil {
				t.Fatal(err)
			}
			if err := pdf.Cell(nil, "ăâîșțĂÂÎȘȚ"); err != nil {
				t.Errorf("Romanian letters: %v", err)
			}

			// The copy is the caller's: changing it changes no later call.
			b[0] = 0xFF
			if again := tt.font(); again[0] != 0 {
				t.Error("a change to a returned slice shows in the next call")
			}
		})
	}
}
