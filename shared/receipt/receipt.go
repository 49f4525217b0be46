// Package receipt renders the registration receipt (dovada de înregistrare)
// of a registry entry as an A4 PDF in Romanian.
//
// The text is set in DejaVu Sans (package pdffonts), subset into each PDF,
// so every Romanian letter (ă â î ș ț Ă Â Î Ș Ț) renders and can be
// extracted as text again. Nothing is shared between calls: the font is
// parsed anew by each Write.
package receipt

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/signintech/gopdf"

	"github.com/ghiseu/ghiseu/shared/pdffonts"
)

// Data is what a receipt shows. The caller fills it from the registry entry,
// its register and its institution.
type Data struct {
	Institution        string // required
	InstitutionAddress string
	RegisterName       string // required
	RegisterCode       string
	Number             int64 // required, > 0
	Year               int   // required; the year of RegisteredAt in TimeZone
	RegisteredAt       time.Time
	TimeZone           *time.Location // required: the institution's time zone
	Subject            string         // required
	Sender             string         // optional: the row is left out when empty
	Pages              int            // >= 0
	Attachments        int            // >= 0
	VerificationCode   string         // required
	VerificationURL    string         // required
	// Answers is the entry an answer answers ("RI-12/2026"), AnsweredBy
	// what answers this entry (an answer's own number, or "ieșire" and its
	// date on this number): the link shows on the receipt whichever
	// practice numbered the answer. Rows left out when empty.
	Answers    string
	AnsweredBy []string
}

// ErrInvalid is wrapped by the error Write returns for incomplete or
// inconsistent Data; nothing is written then.
var ErrInvalid = errors.New("invalid receipt data")

const family = "DejaVuSans"

// Write renders the receipt of d as a PDF to w. The output depends only on
// d: the PDF's creation date is the registration time.
func Write(w io.Writer, d Data) error {
	d = clean(d)
	if err := d.validate(); err != nil {
		return err
	}
	at := d.RegisteredAt.In(d.TimeZone)
	number := fmt.Sprintf("Nr. %d din %s", d.Number, at.Format("02.01.2006, ora 15:04"))
	register := "în registrul " + d.RegisterName
	if d.RegisterCode != "" {
		register += " (" + d.RegisterCode + ")"
	}

	p := &page{pdf: &gopdf.GoPdf{}}
	p.pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	p.pdf.SetInfo(gopdf.PdfInfo{
		Title:        "Dovadă de înregistrare " + number,
		Author:       d.Institution,
		Subject:      d.Subject,
		Creator:      "ghiseu",
		CreationDate: d.RegisteredAt,
	})
	if err := p.pdf.AddTTFFontDataWithOption(family, pdffonts.Regular(), gopdf.TtfOption{Style: gopdf.Regular}); err != nil {
		return fmt.Errorf("receipt: font: %w", err)
	}
	if err := p.pdf.AddTTFFontDataWithOption(family, pdffonts.Bold(), gopdf.TtfOption{Style: gopdf.Bold}); err != nil {
		return fmt.Errorf("receipt: font: %w", err)
	}
	p.newPage()

	p.text(0, "B", 14, d.Institution, false)
	if d.InstitutionAddress != "" {
		p.text(0, "", 10, d.InstitutionAddress, false)
	}
	p.space(6)
	p.pdf.SetLineWidth(0.5)
	p.pdf.Line(margin, p.y, pageWidth-margin, p.y)
	p.space(30)

	p.text(0, "B", 16, "DOVADĂ DE ÎNREGISTRARE", true)
	p.space(6)
	p.text(0, "B", 12, number, true)
	p.text(0, "", 11, register, true)
	p.space(30)

	const label = 130
	row := func(name, value string) {
		y := p.y
		p.text(0, "B", 11, name, false)
		p.y = y
		p.text(label, "", 11, value, false)
		p.space(6)
	}
	row("Obiectul:", d.Subject)
	if d.Sender != "" {
		row("Expeditor:", d.Sender)
	}
	if d.Answers != "" {
		row("Răspuns la:", d.Answers)
	}
	if len(d.AnsweredBy) > 0 {
		row("Răspuns:", strings.Join(d.AnsweredBy, "; "))
	}
	row("Număr de file:", strconv.Itoa(d.Pages))
	row("Număr de anexe:", strconv.Itoa(d.Attachments))
	p.space(30)

	p.text(0, "", 10, "Autenticitatea acestei dovezi poate fi verificată de oricine, "+
		"cu codul de verificare de mai jos, la adresa:", false)
	p.space(2)
	p.pdf.SetTextColor(0, 0, 160)
	y := p.y
	p.text(0, "", 10, d.VerificationURL, false)
	if p.err == nil && p.y > y { // a link over the URL, unless it moved to a new page
		p.pdf.AddExternalLink(d.VerificationURL, margin, y, pageWidth-2*margin, p.y-y)
	}
	p.pdf.SetTextColor(0, 0, 0)
	p.space(6)
	y = p.y
	p.text(0, "B", 11, "Cod de verificare:", false)
	p.y = y
	p.text(label, "B", 11, d.VerificationCode, false)

	if p.err != nil {
		return fmt.Errorf("receipt: %w", p.err)
	}
	if _, err := p.pdf.WriteTo(w); err != nil {
		return fmt.Errorf("receipt: write: %w", err)
	}
	return nil
}

// A4 in points, with its margins.
const (
	pageWidth  = 595.28
	pageHeight = 841.89
	margin     = 56.7 // 2 cm
)

// page lays out lines of text from the top down, breaking pages; the first
// error stops it.
type page struct {
	pdf *gopdf.GoPdf
	y   float64
	err error
}

func (p *page) newPage() {
	p.pdf.AddPage()
	p.y = margin
}

func (p *page) space(h float64) {
	p.y += h
}

// text sets s in the family's style and size from indent points right of
// the left margin to the right margin, word-wrapped, centered or not.
func (p *page) text(indent float64, style string, size float64, s string, center bool) {
	if p.err != nil {
		return
	}
	if p.err = p.pdf.SetFont(family, style, size); p.err != nil {
		return
	}
	width := pageWidth - 2*margin - indent
	lines, err := p.pdf.SplitTextWithWordWrap(s, width)
	if err != nil {
		p.err = err
		return
	}
	height := size * 1.35
	for _, line := range lines {
		if p.y+height > pageHeight-margin {
			p.newPage()
		}
		x := margin + indent
		if center {
			w, err := p.pdf.MeasureTextWidth(line)
			if err != nil {
				p.err = err
				return
			}
			x += (width - w) / 2
		}
		p.pdf.SetXY(x, p.y)
		if p.err = p.pdf.Cell(nil, line); p.err != nil {
			return
		}
		p.y += height
	}
}

func (d Data) validate() error {
	var missing []string
	if d.Institution == "" {
		missing = append(missing, "institution")
	}
	if d.RegisterName == "" {
		missing = append(missing, "register name")
	}
	if d.Number <= 0 {
		missing = append(missing, "number")
	}
	if d.RegisteredAt.IsZero() {
		missing = append(missing, "registration time")
	}
	if d.TimeZone == nil {
		missing = append(missing, "time zone")
	}
	if d.Subject == "" {
		missing = append(missing, "subject")
	}
	if d.VerificationCode == "" {
		missing = append(missing, "verification code")
	}
	if d.VerificationURL == "" {
		missing = append(missing, "verification URL")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %s", ErrInvalid, strings.Join(missing, ", "))
	}
	if d.Pages < 0 || d.Attachments < 0 {
		return fmt.Errorf("%w: negative pages (%d) or attachments (%d)", ErrInvalid, d.Pages, d.Attachments)
	}
	if y := d.RegisteredAt.In(d.TimeZone).Year(); y != d.Year {
		return fmt.Errorf("%w: year %d, but registered in %d", ErrInvalid, d.Year, y)
	}
	return nil
}

// clean makes the text fields valid, single-line UTF-8, trimmed, with the
// Romanian comma-below ș ț in place of the cedilla ş ţ of old keyboards.
func clean(d Data) Data {
	for _, s := range []*string{&d.Institution, &d.InstitutionAddress, &d.RegisterName, &d.RegisterCode,
		&d.Subject, &d.Sender, &d.VerificationCode, &d.VerificationURL} {
		*s = cleanText(*s)
	}
	return d
}

var cedilla = strings.NewReplacer("ş", "ș", "ţ", "ț", "Ş", "Ș", "Ţ", "Ț")

func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(cedilla.Replace(s)), " ")
}
