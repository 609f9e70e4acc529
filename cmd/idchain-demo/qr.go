package main

import (
	"bufio"
	"io"

	qrcode "github.com/skip2/go-qrcode"
)

// writeQR renders content as a QR code with Unicode half blocks: each text
// line carries two module rows (▀ top, ▄ bottom, █ both). On a dark terminal
// the light modules (and the quiet zone) are drawn as blocks so the code
// reads dark-on-light; light=true draws the dark modules instead.
func writeQR(w io.Writer, content string, light bool) error {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return err
	}
	return renderHalfBlocks(w, q.Bitmap(), light)
}

// renderHalfBlocks writes bitmap (true = dark module) two rows per line.
func renderHalfBlocks(w io.Writer, bitmap [][]bool, light bool) error {
	bw := bufio.NewWriter(w)
	ink := func(y, x int) bool {
		if y >= len(bitmap) {
			return !light // below the last row: background
		}
		return bitmap[y][x] == light
	}
	for y := 0; y < len(bitmap); y += 2 {
		bw.WriteString("  ")
		for x := range bitmap[y] {
			top, bottom := ink(y, x), ink(y+1, x)
			switch {
			case top && bottom:
				bw.WriteString("█")
			case top:
				bw.WriteString("▀")
			case bottom:
				bw.WriteString("▄")
			default:
				bw.WriteString(" ")
			}
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}
