package ahocorasick

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

// A built Matcher can be saved and loaded again, so that a keyword set
// known at build time (the embedded rule pack's) costs nothing to set up:
// building the 5,000-state table for the default pack took ~2 ms of every
// start-up, most of it the page faults of touching 1.1 MB of fresh memory.
// Loaded from data embedded in the binary, the table is used in place
// (on little-endian machines), and a scan touches only the rows it visits.

// binaryMagic starts the format; its last bytes are the version.
const binaryMagic = "LFAC0001"

// header fields, each a little-endian uint32, after the magic and classes.
const (
	hN = iota
	hMaxLen
	hStates
	hStride
	hMatchMin
	hTrans
	hOutStart
	hOuts
	hFields
)

// AppendBinary appends m's serialized form to b. The trans table starts at
// a multiple of 4 bytes from the start of the form.
func (m *Matcher) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, binaryMagic...)
	b = append(b, m.classes[:]...)
	h := [hFields]int{m.n, m.maxLen, m.states, m.stride, int(m.matchMin), len(m.trans), len(m.outStart), len(m.outs)}
	for _, v := range h {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	for _, v := range m.trans {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	for _, v := range m.outStart {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	for _, o := range m.outs {
		b = binary.LittleEndian.AppendUint32(b, uint32(o.pattern))
		b = binary.LittleEndian.AppendUint32(b, uint32(o.length))
	}
	return b, nil
}

// Load returns the Matcher that AppendBinary wrote into data. data must
// stay unchanged while the Matcher is in use: on a little-endian machine,
// when data is suitably aligned, the table is used in place. The table's
// entries are not checked one by one (that would touch every page the
// format exists to leave alone); a corrupt entry makes a scan panic on a
// bounds check, never read outside the table.
func Load(data []byte) (*Matcher, error) {
	const head = len(binaryMagic) + 256 + 4*hFields
	if len(data) < head || string(data[:len(binaryMagic)]) != binaryMagic {
		return nil, errors.New("ahocorasick: not a saved matcher (or another version)")
	}
	m := &Matcher{}
	copy(m.classes[:], data[len(binaryMagic):])
	var h [hFields]int
	for i := range h {
		h[i] = int(binary.LittleEndian.Uint32(data[len(binaryMagic)+256+4*i:]))
	}
	m.n, m.maxLen, m.states, m.stride, m.matchMin = h[hN], h[hMaxLen], h[hStates], h[hStride], uint32(h[hMatchMin])
	if m.stride < 1 || m.stride > 256 || h[hTrans] != m.states*m.stride || h[hOutStart] < 1 ||
		len(data) != head+4*(h[hTrans]+h[hOutStart]+2*h[hOuts]) {
		return nil, fmt.Errorf("ahocorasick: saved matcher is inconsistent (%d states x %d classes in %d bytes)", m.states, m.stride, len(data))
	}
	for b := range m.classes {
		if int(m.classes[b]) >= m.stride {
			return nil, errors.New("ahocorasick: saved matcher has a byte class out of range")
		}
	}
	off := head
	m.trans = uint32s(data[off : off+4*h[hTrans]])
	off += 4 * h[hTrans]
	m.outStart = make([]uint32, h[hOutStart])
	for i := range m.outStart {
		m.outStart[i] = binary.LittleEndian.Uint32(data[off+4*i:])
	}
	off += 4 * h[hOutStart]
	if h[hOuts] > 0 { // New leaves it nil when no keyword is found anywhere
		m.outs = make([]output, h[hOuts])
	}
	for i := range m.outs {
		m.outs[i] = output{int32(binary.LittleEndian.Uint32(data[off+8*i:])), int32(binary.LittleEndian.Uint32(data[off+8*i+4:]))}
	}
	if m.matchMin%uint32(m.stride) != 0 || int(m.matchMin) > len(m.trans) ||
		len(m.outStart) != (len(m.trans)-int(m.matchMin))/m.stride+1 || int(m.outStart[len(m.outStart)-1]) != len(m.outs) {
		return nil, errors.New("ahocorasick: saved matcher's outputs do not fit its table")
	}
	for i := 1; i < len(m.outStart); i++ {
		if m.outStart[i] < m.outStart[i-1] {
			return nil, errors.New("ahocorasick: saved matcher's outputs are out of order")
		}
	}
	return m, nil
}

// littleEndian reports whether this machine stores a uint32's low byte first.
var littleEndian = func() bool {
	x := uint32(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// uint32s views b as little-endian uint32s: in place when the machine is
// little-endian and b is 4-byte aligned, else as a decoded copy.
func uint32s(b []byte) []uint32 {
	if len(b) == 0 {
		return nil
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%4 == 0 {
		return unsafe.Slice((*uint32)(unsafe.Pointer(&b[0])), len(b)/4)
	}
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}
