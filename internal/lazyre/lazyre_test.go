package lazyre

import (
	"regexp"
	"sync"
	"testing"
)

// TestSameAsRegexp: every method answers as the compiled regexp does, from
// many goroutines at once (the first use compiles).
func TestSameAsRegexp(t *testing.T) {
	const expr = `(?m)^(\w+)=(\d+)$`
	want := regexp.MustCompile(expr)
	lazy := New(expr)
	in := "a=1\nb=x\ncc=22\n"
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if lazy.MatchString(in) != want.MatchString(in) || lazy.Match([]byte("q")) != want.Match([]byte("q")) {
				t.Error("Match differs")
			}
			if g, w := lazy.FindStringSubmatch(in), want.FindStringSubmatch(in); len(g) != len(w) || g[2] != w[2] {
				t.Errorf("FindStringSubmatch: %q, want %q", g, w)
			}
			if g, w := lazy.FindSubmatch([]byte(in)), want.FindSubmatch([]byte(in)); string(g[1]) != string(w[1]) {
				t.Errorf("FindSubmatch: %q, want %q", g, w)
			}
			if g, w := lazy.FindSubmatchIndex([]byte(in)), want.FindSubmatchIndex([]byte(in)); len(g) != len(w) || g[5] != w[5] {
				t.Errorf("FindSubmatchIndex: %v, want %v", g, w)
			}
			if g, w := lazy.FindAllSubmatchIndex([]byte(in), -1), want.FindAllSubmatchIndex([]byte(in), -1); len(g) != 2 || len(w) != 2 || g[1][0] != w[1][0] {
				t.Errorf("FindAllSubmatchIndex: %v, want %v", g, w)
			}
		}()
	}
	wg.Wait()
	if lazy.String() != expr || lazy.Regexp() != lazy.Regexp() {
		t.Error("String or Regexp differ")
	}
}

// TestBadExprPanicsOnUse: a broken expression is not silently a
// never-matching one.
func TestBadExprPanicsOnUse(t *testing.T) {
	r := New(`(`)
	defer func() {
		if recover() == nil {
			t.Error("a broken expression compiled")
		}
	}()
	r.MatchString("x")
}

// TestAll: every expression made is listed.
func TestAll(t *testing.T) {
	r := New(`x+`)
	found := false
	for _, a := range All() {
		found = found || a == r
	}
	if !found {
		t.Error("All does not list a new expression")
	}
}
