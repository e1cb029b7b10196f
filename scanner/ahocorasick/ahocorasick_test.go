package ahocorasick

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

type match struct{ pattern, start, end int }

func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = foldByte(c)
	}
	return out
}

// naive is the reference: every occurrence of every non-empty keyword,
// found with bytes.Index over ASCII-lowercased copies, sorted by
// (end, pattern, start).
func naive(keywords []string, data []byte) []match {
	ld := lowerASCII(data)
	var out []match
	for i, k := range keywords {
		if k == "" {
			continue
		}
		lk := lowerASCII([]byte(k))
		for from := 0; from <= len(ld); {
			j := bytes.Index(ld[from:], lk)
			if j < 0 {
				break
			}
			out = append(out, match{i, from + j, from + j + len(lk)})
			from += j + 1
		}
	}
	sortMatches(out)
	return out
}

func sortMatches(ms []match) {
	slices.SortFunc(ms, func(a, b match) int {
		if a.end != b.end {
			return a.end - b.end
		}
		if a.pattern != b.pattern {
			return a.pattern - b.pattern
		}
		return a.start - b.start
	})
}

// collect runs FindAll and checks the invariants that do not need the
// reference: non-decreasing end order and data[start:end] == keyword.
func collect(t testing.TB, m *Matcher, keywords []string, data []byte) []match {
	t.Helper()
	var out []match
	lastEnd := -1
	m.FindAll(data, func(p, s, e int) bool {
		if e < lastEnd {
			t.Fatalf("end %d reported after end %d", e, lastEnd)
		}
		lastEnd = e
		if p < 0 || p >= len(keywords) || s < 0 || e > len(data) || s > e {
			t.Fatalf("bad match (%d, %d, %d) for len(data)=%d", p, s, e, len(data))
		}
		if !bytes.Equal(lowerASCII(data[s:e]), lowerASCII([]byte(keywords[p]))) {
			t.Fatalf("data[%d:%d]=%q is not keyword %d %q", s, e, data[s:e], p, keywords[p])
		}
		out = append(out, match{p, s, e})
		return true
	})
	sortMatches(out)
	return out
}

func check(t testing.TB, keywords []string, data []byte) {
	t.Helper()
	m := New(keywords)
	if m.Len() != len(keywords) {
		t.Fatalf("Len() = %d, want %d", m.Len(), len(keywords))
	}
	want := naive(keywords, data)
	got := collect(t, m, keywords, data)
	if !slices.Equal(got, want) {
		t.Fatalf("keywords %q data %q:\n got %v\nwant %v", keywords, data, got, want)
	}
	if c := m.Contains(data); c != (len(want) > 0) {
		t.Fatalf("keywords %q data %q: Contains = %v, want %v", keywords, data, c, len(want) > 0)
	}
}

func TestFixed(t *testing.T) {
	long := strings.Repeat("x", 5000) + "SheRs" + strings.Repeat("y", 9000) + "hers" + strings.Repeat("he", 3000)
	tests := []struct {
		name     string
		keywords []string
		data     string
		want     []match // optional explicit expectation
	}{
		{"ushers", []string{"he", "she", "hers"}, "ushers",
			[]match{{0, 2, 4}, {1, 1, 4}, {2, 2, 6}}},
		{"case fold", []string{"AKIA", "token"}, "akia AKIA AkIa TOKEN ToKeN", nil},
		{"prefixes", []string{"a", "ab", "abc", "abcd"}, "abcdabcab", nil},
		{"suffixes", []string{"abcd", "bcd", "cd", "d"}, "abcdxbcd", nil},
		{"overlap self", []string{"aa", "aaa"}, "aaaaaa", nil},
		{"non-ascii", []string{"caf\xc3\xa9", "\xff\xfe", "\xc3\x89"}, "CAF\xc3\xa9 caf\xc3\x89 \xff\xfe\xff\xfe \xc3\xa9", nil},
		{"non-ascii not folded", []string{"\xe9"}, "\xc9\xe9", []match{{0, 1, 2}}},
		{"empty input", []string{"abc"}, "", nil},
		{"empty keyword", []string{"", "ab", ""}, "abab", []match{{1, 0, 2}, {1, 2, 4}}},
		{"only empty keywords", []string{"", ""}, "anything", nil},
		{"no keywords", nil, "anything", nil},
		{"duplicates", []string{"key", "KEY", "key", "Key"}, "a key, a KeY", nil},
		{"upper keyword", []string{"GHP_", "Xoxb-"}, "ghp_abc XOXB-123 xoxb-", nil},
		{"punctuation", []string{"-----BEGIN", "://", "=="}, "-----begin x://y ===", nil},
		{"long keyword", []string{strings.Repeat("ab", 100), "ba"}, strings.Repeat("AB", 150), nil},
		{"lanes", []string{"he", "she", "hers", "yh", "xs"}, long, nil},
		{"whole", []string{"abc"}, "abc", []match{{0, 0, 3}}},
		{"nul bytes", []string{"\x00\x00", "a\x00"}, "a\x00\x00\x00", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.data)
			if tc.want != nil {
				if got := naive(tc.keywords, data); !slices.Equal(got, tc.want) {
					t.Fatalf("reference disagrees with expectation: %v vs %v", got, tc.want)
				}
			}
			check(t, tc.keywords, data)
		})
	}
}

func TestStop(t *testing.T) {
	data := bytes.Repeat([]byte("secret token "), 10000)
	m := New([]string{"secret", "token"})
	for _, stopAfter := range []int{1, 2, 31, 32, 33, 500, 19999} {
		n := 0
		m.FindAll(data, func(p, s, e int) bool {
			n++
			return n < stopAfter
		})
		if n != stopAfter {
			t.Errorf("stop after %d: got %d calls", stopAfter, n)
		}
	}
}

// TestOrderDense checks end order and completeness when the per-lane hit
// buffers overflow (hits in every lane, every few bytes).
func TestOrderDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 100000)
	for i := range data {
		data[i] = "abAB"[rng.IntN(4)]
	}
	check(t, []string{"ab", "ba", "aab", "abab", "bbbbbb"}, data)
}

// TestLaneBoundaries places keywords across every lane and block boundary
// the four-lane scan uses, for input sizes around the lane thresholds.
func TestLaneBoundaries(t *testing.T) {
	long := strings.Repeat("q", 100) + "Z"
	kws := []string{"abcdefghij", long, "jab", "zq"}
	for _, size := range []int{4 * 64, 4*64 + 3, 4 * 4 * 101, 4 * 4096, 4*4096*2 + 77, 70000} {
		for _, kw := range []string{"abcdefghij", long} {
			data := bytes.Repeat([]byte{'.'}, size)
			// Every lane boundary of every block lies on a multiple of 64
			// or of the lane length; cover both around each of them.
			for _, step := range []int{64, 101 * 4, 4096} {
				for p := step; p < size; p += step {
					for _, d := range []int{-len(kw), -len(kw) / 2, -1, 0} {
						if q := p + d; q >= 0 && q+len(kw) <= size {
							copy(data[q:], strings.ToUpper(kw))
						}
					}
				}
				check(t, kws, data)
			}
		}
	}
}

func randomKeywords(rng *rand.Rand, alphabet string, n, maxLen int) []string {
	kws := make([]string, n)
	for i := range kws {
		b := make([]byte, rng.IntN(maxLen+1))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		kws[i] = string(b)
	}
	return kws
}

func TestRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	alphabets := []string{"ab", "abcAB", "abcdefgh-_=", "aA\xc3\xa9\xff\x00z"}
	iters := 3000
	if testing.Short() {
		iters = 300
	}
	for it := range iters {
		alpha := alphabets[it%len(alphabets)]
		kws := randomKeywords(rng, alpha, 1+rng.IntN(12), 1+rng.IntN(8))
		// Sizes around the lane thresholds as well as small ones.
		size := []int{0, 1, 7, 63, 255, 256, 257, 1000, 4100, 16384 + 13, 40000}[rng.IntN(11)]
		data := make([]byte, size)
		for j := range data {
			data[j] = alpha[rng.IntN(len(alpha))]
		}
		check(t, kws, data)
	}
}

func FuzzFindAll(f *testing.F) {
	f.Add([]byte("ushers"), "he\nshe\nhers")
	f.Add([]byte("AKIA1234 ghp_XYZ xoxb-"), "akia\nGHP_\nxoxb-\n")
	f.Add(bytes.Repeat([]byte("aAb"), 200), "ab\naab\nba\nab")
	f.Fuzz(func(t *testing.T, data []byte, kwBlob string) {
		kws := strings.Split(kwBlob, "\n")
		if len(kws) > 64 {
			kws = kws[:64]
		}
		for i, k := range kws {
			if len(k) > 64 {
				kws[i] = k[:64]
			}
		}
		check(t, kws, data)
	})
}

// --- benchmarks ---

// benchKeywords returns n keywords resembling a secret-scanner rule pack:
// vendor names and token prefixes of 3..15 bytes.
func benchKeywords(n int) []string {
	base := []string{
		"akia", "asia", "abia", "acca", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
		"github_pat_", "glpat-", "gldt-", "glrt-", "xoxb-", "xoxp-", "xoxa-",
		"xapp-", "sk_live_", "rk_live_", "pk_live_", "sk_test_", "shpat_",
		"shpss_", "shpca_", "dop_v1_", "doo_v1_", "dor_v1_", "npm_", "pypi-",
		"sg.", "sq0atp-", "sq0csp-", "hooks.slack", "discord", "twilio",
		"sendgrid", "mailgun", "mailchimp", "heroku", "digitalocean", "dropbox",
		"sk-ant-", "sk-proj-", "openai", "anthropic", "huggingface", "hf_",
		"groq", "gsk_", "deepseek", "dashscope", "azure", "cognitive",
		"together", "replicate", "r8_", "pplx-", "mistral", "cohere",
		"-----begin", "private key", "bearer", "authorization", "api_key",
		"apikey", "api-key", "secret_key", "client_secret", "access_token",
		"refresh_token", "password", "passwd", "pwd", "credential", "aiza",
		"ya29.", "1//0", "amzn.mws", "eyjhbgci", "jdbc:", "mongodb+srv",
		"postgres://", "mysql://", "redis://", "amqp://", "sv=20", "sig=",
		"accountkey=", "sharedaccesskey", "endpoint=sb", "atlassian",
		"bitbucket", "confluent", "databricks", "dapi", "datadog", "dd_api",
		"doppler", "dp.pt.", "dynatrace", "dt0c01", "fastly", "figma",
		"flutterwave", "flwseck", "frameio", "gocardless", "grafana",
		"glc_", "glsa_", "hashicorp", "hvs.", "hvb.", "intercom", "linear",
		"lin_api_", "lob_", "mapbox", "messagebird", "netlify", "newrelic",
		"nrak-", "nrii-", "okta", "onfido", "planetscale", "pscale_",
		"postman", "pmak-", "prefect", "pnu_", "pulumi", "pul-", "rubygems",
		"rubygems_", "scalingo", "tk-us-", "sentry", "sntrys_", "shippo",
		"shippo_live_", "sidekiq", "snyk", "squarespace", "sumologic",
		"telegram", "travis", "typeform", "tfp_", "vault", "yandex",
		"zendesk", "clojars", "codecov", "coinbase", "contentful", "easypost",
		"etsy", "facebook", "finicity", "freshbooks", "gitter", "kraken",
		"kucoin", "launchdarkly", "readme", "rdme_",
	}
	rng := rand.New(rand.NewPCG(42, 42))
	seen := map[string]bool{}
	var out []string
	for _, k := range base {
		if len(out) < n && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	syll := []string{"ka", "zu", "qo", "vex", "ry", "plo", "ix", "jam", "wu", "th", "ok", "zz", "fy", "gw", "xq"}
	for len(out) < n {
		var b strings.Builder
		for b.Len() < 3+rng.IntN(10) {
			b.WriteString(syll[rng.IntN(len(syll))])
		}
		if rng.IntN(4) == 0 {
			b.WriteByte("_-.:"[rng.IntN(4)])
		}
		if k := b.String(); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// benchSource generates size bytes of Go/Python-like source text and
// sprinkles one of keywords in roughly every hitEvery bytes.
func benchSource(size int, keywords []string, hitEvery int) []byte {
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{
		"func", "return", "if", "err", "nil", "for", "range", "value", "name",
		"data", "config", "client", "request", "response", "ctx", "context",
		"string", "int", "bool", "import", "from", "def", "self", "class",
		"New", "Get", "Set", "Load", "Parse", "Handler", "Server", "http",
		"json", "fmt", "Println", "Errorf", "len", "append", "make", "map",
		"struct", "type", "const", "var", "i", "j", "n", "x", "buf", "out",
		"result", "items", "index", "count", "total", "user", "id", "path",
		"file", "open", "close", "read", "write", "bytes", "Buffer", "main",
		"test", "assert", "expected", "actual", "option", "settings", "log",
		"debug", "info", "warn", "message", "status", "code", "header",
		"body", "query", "params", "url", "host", "port", "timeout", "retry",
	}
	punct := []string{"(", ")", " ", " ", " ", ".", ", ", " := ", " = ", "{\n\t", "\n}\n", "[", "]", ": ", "\"", "\n\t\t", " + ", " == ", "//", "0", "1", "42"}
	var b bytes.Buffer
	b.Grow(size + 64)
	nextHit := hitEvery
	for b.Len() < size {
		w := words[rng.IntN(len(words))]
		if rng.IntN(3) == 0 {
			w = strings.ToUpper(w[:1]) + w[1:] + words[rng.IntN(len(words))]
		}
		b.WriteString(w)
		b.WriteString(punct[rng.IntN(len(punct))])
		if hitEvery > 0 && b.Len() >= nextHit {
			k := keywords[rng.IntN(len(keywords))]
			if rng.IntN(2) == 0 {
				k = strings.ToUpper(k)
			}
			b.WriteString(k)
			b.WriteString("XyZ12 ")
			nextHit = b.Len() + hitEvery/2 + rng.IntN(hitEvery)
		}
	}
	return b.Bytes()[:size]
}

const benchSize = 4 << 20

// indexNeedles are the keywords BenchmarkBytesIndex looks for; they are
// never sprinkled into the benchmark text, so bytes.Index makes a full pass.
var indexNeedles = []string{"ghp_", "sk_live_", "-----begin"}

// benchData returns the 300 benchmark keywords and ~4 MiB of source-like
// text with a keyword about every hitEvery bytes (none if 0).
func benchData(hitEvery int) ([]string, []byte) {
	kws := benchKeywords(300)
	var sprinkle []string
	for _, k := range kws {
		if !slices.Contains(indexNeedles, k) {
			sprinkle = append(sprinkle, k)
		}
	}
	return kws, benchSource(benchSize, sprinkle, hitEvery)
}

func benchFindAll(b *testing.B, hitEvery int) {
	kws, data := benchData(hitEvery)
	m := New(kws)
	states, classes, table := m.stats()
	var hits int
	m.FindAll(data, func(int, int, int) bool { hits++; return true })
	b.ReportMetric(float64(hits), "hits")
	b.Logf("keywords=%d states=%d classes=%d table=%d KiB hits=%d", len(kws), states, classes, table/1024, hits)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		n := 0
		m.FindAll(data, func(int, int, int) bool { n++; return true })
	}
}

// BenchmarkFindAll: typical source, few keyword occurrences.
func BenchmarkFindAll(b *testing.B) { benchFindAll(b, 2048) }

// BenchmarkFindAllDense: a keyword occurrence every ~32 bytes.
func BenchmarkFindAllDense(b *testing.B) { benchFindAll(b, 32) }

// BenchmarkContains: no keyword occurs, so the whole input is scanned.
func BenchmarkContains(b *testing.B) {
	all := benchKeywords(300)
	data := benchSource(benchSize, all, 0)
	var kws []string
	for _, k := range all {
		if !bytes.Contains(lowerASCII(data), []byte(k)) {
			kws = append(kws, k)
		}
	}
	m := New(kws)
	if m.Contains(data) {
		b.Fatal("unexpected hit")
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		m.Contains(data)
	}
}

// BenchmarkSingleLane is the same workload as BenchmarkFindAll through the
// one-state loop, to show what the four interleaved lanes buy.
func BenchmarkSingleLane(b *testing.B) {
	kws, data := benchData(2048)
	m := New(kws)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		m.scan1(data, 0, 0, func(int, int, int) bool { return true })
	}
}

// BenchmarkBytesIndex is the comparison point: one keyword, one
// bytes.Index pass (SIMD in the standard library) over the same data as
// BenchmarkFindAll, in which the needle does not occur (a full pass). How
// fast bytes.Index is depends mostly on how often the needle's first byte
// occurs in the text.
func BenchmarkBytesIndex(b *testing.B) {
	_, data := benchData(2048)
	for _, needle := range indexNeedles {
		b.Run(needle, func(b *testing.B) {
			nb := []byte(needle)
			if bytes.Contains(data, nb) {
				b.Fatalf("%q occurs in the benchmark data", needle)
			}
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				bytes.Index(data, nb)
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	kws := benchKeywords(300)
	for b.Loop() {
		New(kws)
	}
}

func ExampleMatcher_FindAll() {
	m := New([]string{"he", "she", "hers"})
	m.FindAll([]byte("uSHErs"), func(pattern, start, end int) bool {
		fmt.Println(pattern, start, end)
		return true
	})
	// Output:
	// 1 1 4
	// 0 2 4
	// 2 2 6
}
