package lab

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	"github.com/aelab/aelab/session"
)

// Layout of GET /api/sessions/{id}/reconstructions.png: one column per
// example; the originals on the top row, the noisy inputs of a denoising
// run in the middle, the reconstructions at the bottom; a white gap
// between tiles. Images are scaled up by a whole factor to be legible on a
// slide; other data (vectors) is drawn as a strip of grey cells.
const (
	pngGap       = 4
	pngTileSide  = 112 // image tiles are scaled to about this size
	pngStripCell = 6   // width of one feature of a vector strip
	pngStripTall = 32
)

// ReconstructionsPNG draws r as a grid and writes it as a PNG.
func ReconstructionsPNG(w io.Writer, r *session.Reconstructions) error {
	rows := [][]byte{r.Originals}
	if len(r.Inputs) > 0 {
		rows = append(rows, r.Inputs)
	}
	rows = append(rows, r.Reconstructions)
	k := r.Width * r.Height
	if r.Count < 1 || k < 1 {
		return fmt.Errorf("no examples to draw")
	}
	for _, row := range rows {
		if len(row) != r.Count*k {
			return fmt.Errorf("a row holds %d values, want %d×%d", len(row), r.Count, k)
		}
	}
	sx, sy := pngStripCell, pngStripTall // a vector: cells of one feature
	if r.Kind == "image" {
		s := max(1, pngTileSide/max(r.Width, r.Height))
		sx, sy = s, s
	}
	tw, th := r.Width*sx, r.Height*sy
	if r.Kind != "image" {
		tw, th = k*sx, sy
	}
	cols := r.Count
	if r.Kind != "image" {
		cols = 1 // a strip per example, stacked
	}
	nrows := len(rows)
	if r.Kind != "image" {
		nrows = len(rows) * r.Count
	}
	img := image.NewGray(image.Rect(0, 0, pngGap+cols*(tw+pngGap), pngGap+nrows*(th+pngGap)))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	tile := func(x0, y0 int, v []byte) {
		for p, b := range v {
			px, py := p%r.Width, p/r.Width
			if r.Kind != "image" {
				px, py = p, 0
			}
			for dy := 0; dy < sy; dy++ {
				for dx := 0; dx < sx; dx++ {
					img.SetGray(x0+px*sx+dx, y0+py*sy+dy, color.Gray{Y: b}) // bright ink on black, as on the page
				}
			}
		}
	}
	for ri, row := range rows {
		for e := 0; e < r.Count; e++ {
			v := row[e*k : (e+1)*k]
			if r.Kind == "image" {
				tile(pngGap+e*(tw+pngGap), pngGap+ri*(th+pngGap), v)
			} else {
				tile(pngGap, pngGap+(e*len(rows)+ri)*(th+pngGap), v)
			}
		}
	}
	return png.Encode(w, img)
}
