package fix

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/leakfix/leakfix/redact"
)

// contextLines is how many unchanged lines surround each hunk, as in
// `diff -u` and git.
const contextLines = 3

// WriteDiff writes the changes as one unified diff (`--- a/F`, `+++ b/F`,
// as git writes them). Unless showSecrets, every secret value the changes
// know of is replaced by REDACTED wherever it appears in the diff — a
// review needs to see where a secret was and what replaced it, not the
// secret — which means such a diff shows but cannot apply those lines;
// with showSecrets it is an exact patch (`git apply`).
func WriteDiff(w io.Writer, changes []*Change, showSecrets bool) error {
	// The values go through the process's one redaction rule (package
	// redact: longest first, CRLF values in their LF form too).
	var red *redact.Redactor
	if !showSecrets {
		red = redact.New(nil)
		for _, c := range changes {
			for _, s := range c.Secrets {
				red.AddExact(s.Value)
			}
		}
	}
	redactText := red.Known
	bw := bufio.NewWriter(w)
	for _, c := range changes {
		if !c.Changed() {
			continue
		}
		a := splitLines(string(c.Before))
		b := splitLines(string(c.After))
		if red != nil {
			// Redact whole texts first: a multi-line secret (a PEM key)
			// spans lines.
			a = splitLines(redactText(string(c.Before)))
			b = splitLines(redactText(string(c.After)))
		}
		name := strings.TrimLeft(c.File, "/") // an absolute PATH given to fix
		from := quotePath("a/" + name)
		if c.New {
			from = "/dev/null"
		}
		fmt.Fprintf(bw, "--- %s\n+++ %s\n", from, quotePath("b/"+name))
		writeHunks(bw, a, b, diffLines(a, b))
	}
	return bw.Flush()
}

// splitLines splits after each "\n", keeping it.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// edit is one line of a line-by-line diff: ' ' kept, '-' removed, '+'
// added; a and b index the old and new lines.
type edit struct {
	op   byte
	a, b int
}

// diffLines is Myers' O((N+M)D) shortest edit script. The trace keeps,
// for each D, only the diagonals it could reach (2D+3 entries), so memory
// is O(D²) rather than O((N+M)·D).
func diffLines(a, b []string) []edit {
	n, m := len(a), len(b)
	// Trim the common prefix and suffix: most changes are small.
	pre := 0
	for pre < n && pre < m && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < n-pre && suf < m-pre && a[n-1-suf] == b[m-1-suf] {
		suf++
	}
	var out []edit
	for i := 0; i < pre; i++ {
		out = append(out, edit{' ', i, i})
	}
	out = append(out, myers(a[pre:n-suf], b[pre:m-suf], pre)...)
	for i := 0; i < suf; i++ {
		out = append(out, edit{' ', n - suf + i, m - suf + i})
	}
	return out
}

func myers(a, b []string, base int) []edit {
	n, m := len(a), len(b)
	max := n + m
	if max == 0 {
		return nil
	}
	off := max + 1
	v := make([]int, 2*max+3)
	var trace [][]int
	var d int
search:
	for d = 0; d <= max; d++ {
		snap := make([]int, 2*d+3)
		copy(snap, v[off-d-1:off+d+2])
		trace = append(trace, snap)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				break search
			}
		}
	}
	// Walk back through the trace.
	var rev []edit
	x, y := n, m
	for ; d > 0; d-- {
		snap := trace[d]
		at := func(k int) int { return snap[k+d+1] }
		k := x - y
		var prevK int
		if k == -d || k != d && at(k-1) < at(k+1) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := at(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x--
			y--
			rev = append(rev, edit{' ', base + x, base + y})
		}
		if x == prevX {
			y--
			rev = append(rev, edit{'+', base + x, base + y})
		} else {
			x--
			rev = append(rev, edit{'-', base + x, base + y})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, edit{' ', base + x, base + y})
	}
	out := make([]edit, len(rev))
	for i := range rev {
		out[i] = rev[len(rev)-1-i]
	}
	return out
}

// writeHunks groups edits into hunks with context and writes them.
func writeHunks(w io.Writer, a, b []string, edits []edit) {
	for i := 0; i < len(edits); {
		// Find the next change.
		for i < len(edits) && edits[i].op == ' ' {
			i++
		}
		if i == len(edits) {
			return
		}
		start := max(0, i-contextLines)
		end := i
		// Extend while the next change is within 2*context lines.
		for end < len(edits) {
			if edits[end].op != ' ' {
				end++
				continue
			}
			j := end
			for j < len(edits) && edits[j].op == ' ' {
				j++
			}
			if j == len(edits) || j-end > 2*contextLines {
				end = min(len(edits), end+contextLines)
				break
			}
			end = j
		}
		hunk := edits[start:end]
		aStart, bStart := hunk[0].a, hunk[0].b
		var aLen, bLen int
		for _, e := range hunk {
			if e.op != '+' {
				aLen++
			}
			if e.op != '-' {
				bLen++
			}
		}
		fmt.Fprintf(w, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
		for _, e := range hunk {
			var line string
			switch e.op {
			case '+':
				line = b[e.b]
			default:
				line = a[e.a]
			}
			io.WriteString(w, string(e.op))
			io.WriteString(w, line)
			if !strings.HasSuffix(line, "\n") {
				io.WriteString(w, "\n\\ No newline at end of file\n")
			}
		}
		i = end
	}
}

// hunkRange formats a 0-based start and a length as diff does: an empty
// range names the line before it.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// quotePath writes a patch header's path as git does: unchanged when it
// is plain, else in double quotes with C escapes (octal for other
// control characters and for every byte outside ASCII), so a crafted
// name can neither break the header nor drive the terminal, and `git
// apply` still reads it.
func quotePath(p string) string {
	plain := true
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return p
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\v':
			b.WriteString(`\v`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if c < 0x20 || c >= 0x7f {
				fmt.Fprintf(&b, `\%03o`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
