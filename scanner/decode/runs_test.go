package decode

import (
	"encoding/base64"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
)

// naiveRuns is the plain definition runs must match: every maximal run of
// set bytes at least minLen long.
func naiveRuns(data []byte, minLen int, set *[256]bool) [][2]int {
	var out [][2]int
	for i := 0; i < len(data); {
		if !set[data[i]] {
			i++
			continue
		}
		j := i
		for j < len(data) && set[data[j]] {
			j++
		}
		if j-i >= minLen {
			out = append(out, [2]int{i, j})
		}
		i = j
	}
	return out
}

func TestRunsMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	// Alphabets weighted so runs of every length around minLen occur.
	alphabets := []string{"ab ", "abcdefgh.", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ", "ab/+=\n", "aaaaaaaaaaaaaaaaa ", "aaaaaaaa."}
	for _, minLen := range []int{1, 2, 4, 16, 31, 40} {
		for _, alpha := range alphabets {
			for n := 0; n < 400; n++ {
				data := make([]byte, rng.Intn(400))
				for i := range data {
					data[i] = alpha[rng.Intn(len(alpha))]
				}
				var got [][2]int
				runs(data, minLen, &isBase64Byte, func(s, e int) { got = append(got, [2]int{s, e}) })
				if want := naiveRuns(data, minLen, &isBase64Byte); !reflect.DeepEqual(got, want) {
					t.Fatalf("runs(%q, %d) = %v, want %v", data, minLen, got, want)
				}
			}
		}
	}
}

// BenchmarkTokens runs the token search over real text: the files under
// $LEAKFIX_BENCH_DIR (e.g. a module cache), else the Go standard
// library's net/http sources.
func BenchmarkTokens(b *testing.B) {
	var data [][]byte
	root := os.Getenv("LEAKFIX_BENCH_DIR")
	if root == "" {
		root = filepath.Join(runtime.GOROOT(), "src", "net", "http")
	}
	size := 0
	_ = filepath.WalkDir(root, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || size > 200<<20 {
			return nil
		}
		if info, err := e.Info(); err != nil || !info.Mode().IsRegular() || info.Size() > 1<<20 {
			return nil
		}
		if bs, err := os.ReadFile(path); err == nil {
			data = append(data, bs)
			size += len(bs)
		}
		return nil
	})
	if size == 0 {
		b.Skip("no sources to read under " + root)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range data {
			Tokens(d, 16, true, func(string, Token) {})
		}
	}
}

func TestTextHead64MatchesDecoder(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for n := 0; n < 20000; n++ {
		var s [12]byte
		if n%2 == 0 {
			// Half are encodings of text, so both answers occur.
			var plain [9]byte
			for i := range plain {
				plain[i] = byte(0x20 + rng.Intn(0x60))
			}
			base64.StdEncoding.Encode(s[:], plain[:])
		} else {
			for i := range s {
				s[i] = alphabet[rng.Intn(len(alphabet))]
			}
		}
		var head [9]byte
		_, err := base64.RawStdEncoding.Decode(head[:], s[:])
		want := err == nil
		for _, c := range head {
			want = want && isTextByte(c)
		}
		if got := textHead64(s[:]); got != want {
			t.Fatalf("textHead64(%q) = %v, want %v", s, got, want)
		}
	}
}
