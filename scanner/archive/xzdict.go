package archive

import "encoding/binary"

// maxXZDict is the largest LZMA2 dictionary an xz stream may ask for: the
// reader allocates it up front, so a 100-byte file declaring 1.5 GiB is a
// memory bomb. 64 MiB is what `xz -9` uses.
const maxXZDict = 64 << 20

// xzDictSize reads the LZMA2 dictionary size from the first block header
// of an xz stream, or 0 if it cannot tell (the reader then fails on its
// own). Later blocks are not checked (see docs/DESIGN.md).
func xzDictSize(data []byte) int64 {
	const streamHeader = 12
	if len(data) < streamHeader+2 || data[streamHeader] == 0 {
		return 0
	}
	hdr := data[streamHeader:]
	size := (int(hdr[0]) + 1) * 4
	if len(hdr) < size {
		return 0
	}
	hdr = hdr[:size]
	flags := hdr[1]
	p := 2
	for _, present := range []bool{flags&0x40 != 0, flags&0x80 != 0} { // compressed, uncompressed sizes
		if present {
			_, n := binary.Uvarint(hdr[p:])
			if n <= 0 {
				return 0
			}
			p += n
		}
	}
	for f := 0; f <= int(flags&3); f++ {
		id, n := binary.Uvarint(hdr[p:])
		if n <= 0 {
			return 0
		}
		p += n
		psize, n := binary.Uvarint(hdr[p:])
		if n <= 0 || p+n+int(psize) > len(hdr) {
			return 0
		}
		p += n
		if id == 0x21 && psize == 1 { // LZMA2
			code := int64(hdr[p] & 0x3f)
			if code >= 40 {
				return 1 << 32
			}
			return (2 | code&1) << (code/2 + 11)
		}
		p += int(psize)
	}
	return 0
}
