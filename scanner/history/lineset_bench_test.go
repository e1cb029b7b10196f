package history

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// BenchmarkLineSetMark is the per-byte cost line skipping adds: hashing
// every line of a later version and probing the path's set.
func BenchmarkLineSetMark(b *testing.B) {
	var sb strings.Builder
	for i := 0; sb.Len() < 30000; i++ {
		fmt.Fprintf(&sb, "    value%d := handler.update(ctx, %d, \"items\")\n", i, i*37)
	}
	data := []byte(sb.String())
	s := newLineSet()
	s.addAll(data)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		s.mark(data, true)
	}
}

// TestSharedEnds checks the promise of sharedEnds against its definition:
// every line of cur outside [from, to) equals the line of prev at the same
// distance from the start (before from) or from the end (at or after to).
func TestSharedEnds(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	lines := []string{"a\n", "bb\n", "a\n", "ccc\n", "\n", "dd", "a", "bb\n"}
	gen := func() []byte {
		var b []byte
		for i := rng.Intn(8); i > 0; i-- {
			b = append(b, lines[rng.Intn(len(lines))]...)
		}
		return b
	}
	for i := 0; i < 20000; i++ {
		prev, cur := gen(), gen()
		if rng.Intn(2) == 0 {
			cur = append(append(append([]byte(nil), prev[:rng.Intn(len(prev)+1)]...), gen()...), prev[rng.Intn(len(prev)+1):]...)
		}
		from, to := sharedEnds(prev, cur)
		if from > to || to > len(cur) {
			t.Fatalf("prev %q cur %q: [%d, %d)", prev, cur, from, to)
		}
		for off := 0; off < len(cur); {
			end := lineEndAt(cur, off) + 1
			end = min(end, len(cur))
			line := cur[off:end]
			switch {
			case off < from:
				full := len(line) > 0 && line[len(line)-1] == '\n' || off+len(line) == len(prev)
				if off+len(line) > len(prev) || !bytes.Equal(prev[off:off+len(line)], line) || !full {
					t.Fatalf("prev %q cur %q: head line %q at %d not shared (from %d)", prev, cur, line, off, from)
				}
			case off >= to:
				back := len(cur) - off
				p := len(prev) - back
				if p < 0 || !bytes.Equal(prev[p:p+len(line)], line) || (p > 0 && prev[p-1] != '\n') {
					t.Fatalf("prev %q cur %q: tail line %q at %d not shared (to %d)", prev, cur, line, off, to)
				}
			}
			off = end
		}
	}
}
