package scantest

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files scantest.Golden compares with")

// Golden compares a report, one finding per line, with the one recorded
// in the golden file at path before a change: speed and memory work must
// not lose, add or move a finding. `go test -run NAME -update` rewrites
// the file when a change of findings is intended.
func Golden(t testing.TB, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := string(b); got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		t.Errorf("findings differ from %s (%d lines now, %d recorded):\n%s", path, len(gl), len(wl), lineDiff(wl, gl))
	}
}

// lineDiff lists the lines only one side has (at most 40), enough to see
// which findings a change lost or added.
func lineDiff(want, got []string) string {
	count := func(s []string) map[string]int {
		m := map[string]int{}
		for _, l := range s {
			m[l]++
		}
		return m
	}
	w, g := count(want), count(got)
	var b strings.Builder
	n := 0
	for _, l := range want {
		if g[l] == 0 && n < 40 {
			fmt.Fprintf(&b, "  lost:  %s\n", l)
			n++
		}
	}
	for _, l := range got {
		if w[l] == 0 && n < 40 {
			fmt.Fprintf(&b, "  added: %s\n", l)
			n++
		}
	}
	return b.String()
}
