// Command iconsgen draws cpx-agent's app icon (an original drawing: a blue tile with a white
// smart card and its gold chip) and writes it as PNG to every path given with -o.
//
//	go run ./internal/ui/internal/iconsgen -o internal/ui/icon.png -o assets/icon.png
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
)

type paths []string

func (p *paths) String() string     { return strings.Join(*p, ",") }
func (p *paths) Set(v string) error { *p = append(*p, v); return nil }

func main() {
	var out paths
	size := flag.Int("size", 256, "icon size in pixels")
	flag.Var(&out, "o", "output PNG path (repeatable)")
	flag.Parse()
	if len(out) == 0 || *size < 32 {
		fmt.Fprintln(os.Stderr, "usage: iconsgen [-size 256] -o icon.png [-o …]")
		os.Exit(2)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, draw(*size)); err != nil {
		fmt.Fprintln(os.Stderr, "iconsgen:", err)
		os.Exit(1)
	}
	for _, p := range out {
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "iconsgen:", err)
			os.Exit(1)
		}
	}
}

var (
	blue  = color.NRGBA{0x1d, 0x4e, 0x89, 0xff}
	white = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	gold  = color.NRGBA{0xe0, 0xb0, 0x3c, 0xff}
	line  = color.NRGBA{0x9f, 0xb4, 0xcc, 0xff}
	red   = color.NRGBA{0xd6, 0x3a, 0x3a, 0xff}
)

// draw paints the icon on a size×size transparent canvas, in fractions of the size.
func draw(size int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	f := func(v float64) int { return int(v * float64(size)) }
	roundRect(img, f(0.02), f(0.02), f(0.98), f(0.98), f(0.18), blue)
	roundRect(img, f(0.14), f(0.26), f(0.86), f(0.74), f(0.05), white)
	roundRect(img, f(0.22), f(0.38), f(0.38), f(0.52), f(0.02), gold)
	roundRect(img, f(0.46), f(0.39), f(0.78), f(0.43), f(0.01), line)
	roundRect(img, f(0.46), f(0.47), f(0.70), f(0.51), f(0.01), line)
	roundRect(img, f(0.22), f(0.60), f(0.78), f(0.64), f(0.01), line)
	// a small red cross, the health sign, on the card's corner
	roundRect(img, f(0.70), f(0.56), f(0.82), f(0.60), 0, red)
	roundRect(img, f(0.74), f(0.52), f(0.78), f(0.64), 0, red)
	return img
}

// roundRect fills the rectangle [x0,x1)×[y0,y1) with corners of radius r.
func roundRect(img *image.NRGBA, x0, y0, x1, y1, r int, c color.NRGBA) {
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if inside(x, y, x0, y0, x1-1, y1-1, r) {
				img.SetNRGBA(x, y, c)
			}
		}
	}
}

func inside(x, y, x0, y0, x1, y1, r int) bool {
	cx, cy := x, y
	switch {
	case x < x0+r:
		cx = x0 + r
	case x > x1-r:
		cx = x1 - r
	}
	switch {
	case y < y0+r:
		cy = y0 + r
	case y > y1-r:
		cy = y1 - r
	}
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= r*r
}
