package ahocorasick

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// TestBinaryRoundTrip: a saved and loaded matcher is the built one, field
// for field, and finds the same matches, whether its table is used in
// place or copied (a misaligned buffer).
func TestBinaryRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	sets := [][]string{nil, {""}, {"he", "she", "hers", "HIS"}, benchKeywords(300)}
	for range 50 {
		sets = append(sets, randomKeywords(rng, "abcAB-_\xff", 1+rng.IntN(20), 1+rng.IntN(10)))
	}
	for i, kws := range sets {
		m := New(kws)
		b, err := m.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		for shift := range 3 {
			buf := append(make([]byte, shift), b...)[shift:]
			got, err := Load(buf)
			if err != nil {
				t.Fatalf("set %d shift %d: %v", i, shift, err)
			}
			if !reflect.DeepEqual(got, m) {
				t.Fatalf("set %d shift %d: loaded matcher differs from the built one", i, shift)
			}
			data := []byte("ushers HERS his abcab-_AB\xff " + string(benchSource(5000, benchKeywords(40), 97)))
			for _, k := range kws {
				data = append(data, k+" x"...)
			}
			if w, g := collect(t, m, kws, data), collect(t, got, kws, data); !slices.Equal(w, g) {
				t.Fatalf("set %d: loaded matcher finds %d matches, built %d", i, len(g), len(w))
			}
		}
	}
}

// TestLoadRejects: truncated, foreign or inconsistent data is an error.
func TestLoadRejects(t *testing.T) {
	b, err := New([]string{"he", "she", "hers"}).AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("LFAC0000"), b[8:]...),
		"truncated": b[:len(b)-4],
		"longer":    append(slices.Clone(b), 0, 0, 0, 0),
	}
	stride := slices.Clone(b)
	stride[8+256+4*hStride] = 0
	bad["stride"] = stride
	class := slices.Clone(b)
	class[8+'h'] = 200
	bad["class"] = class
	for name, data := range bad {
		if _, err := Load(data); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
}
