package scanner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/leakfix/leakfix/rules"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"1/1", Shard{1, 1}, true},
		{"3/8", Shard{3, 8}, true},
		{" 2 / 2 ", Shard{2, 2}, true},
		{"0/4", Shard{}, false},
		{"5/4", Shard{}, false},
		{"1/0", Shard{}, false},
		{"1", Shard{}, false},
		{"a/b", Shard{}, false},
	} {
		got, err := ParseShard(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v", tc.in, got, err)
		}
	}
}

// TestShardsCoverTreeExactlyOnce: N tree-scan shards find, together, what
// one scan finds, each finding once.
func TestShardsCoverTreeExactlyOnce(t *testing.T) {
	cfg, err := rules.DefaultWithExamples()
	if err != nil {
		t.Fatal(err)
	}
	d := New(cfg, Options{})
	dir := t.TempDir()
	var examples []string
	for _, r := range cfg.Rules {
		examples = append(examples, r.Examples...)
	}
	for i, ex := range examples {
		p := filepath.Join(dir, fmt.Sprintf("svc%02d", i%17), fmt.Sprintf("conf_%03d.env", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("# settings\n"+ex+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	scan := func(s Shard) ([]Finding, Stats) {
		fs, st, err := (&FileSource{Roots: []string{dir}, NoIgnore: true, Shard: s}).Scan(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		return fs, st
	}
	single, st := scan(Shard{})
	if len(single) < 100 {
		t.Fatalf("only %d findings", len(single))
	}
	for _, n := range []int{2, 4, 7} {
		var union []Finding
		var files int64
		for k := 1; k <= n; k++ {
			fs, sst := scan(Shard{K: k, N: n})
			if sst.Files == st.Files {
				t.Errorf("shard %d/%d scanned every file", k, n)
			}
			files += sst.Files
			union = append(union, fs...)
		}
		SortFindings(union)
		if files != st.Files {
			t.Errorf("N=%d: shards scanned %d files, the single run %d", n, files, st.Files)
		}
		if !reflect.DeepEqual(union, single) {
			t.Errorf("N=%d: %d findings from the shards, %d from one run", n, len(union), len(single))
		}
	}
}
