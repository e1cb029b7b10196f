package history

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// scenario is a repository with every shape of history the issue names:
// branches, a merge, lightweight and annotated tags, a deleted file, a
// renamed file, an unmerged branch, a secret added and reverted the next
// commit, a secret in a commit message, a commit only a tag reaches, and
// two stashes (the older one only in the stash reflog, the newer one with
// an untracked file).
type scenario struct {
	repo *testRepo
	// commit names → full hashes
	c map[string]string
}

func buildScenario(t testing.TB) *scenario {
	t.Helper()
	r := newTestRepo(t)
	c := map[string]string{}
	c["init"] = r.commit("initial layout", map[string]string{
		"README.md": "# demo\n",
		"config.py": "db_host = 'localhost'\n",
		"app.py":    "def main():\n    return 0\n",
	})
	c["aws"] = r.commit("add aws settings", map[string]string{
		"config.py": "db_host = 'localhost'\naws_key = '" + awsConfig + "'\n",
	})
	c["edit"] = r.commit("tune db host", map[string]string{
		"config.py": "db_host = 'db.internal'\naws_key = '" + awsConfig + "'\n",
	})
	r.git("checkout", "-q", "-b", "feature")
	c["feature1"] = r.commit("feature: groq client", map[string]string{
		"feature.py": "import groq\nclient = groq.Client('" + groqFeature + "')\n",
	})
	c["feature2"] = r.commit("feature: retries", map[string]string{
		"feature.py": "import groq\nclient = groq.Client('" + groqFeature + "')\nretries = 3\n",
	})
	r.git("checkout", "-q", "main")
	c["old"] = r.commit("add notes", map[string]string{
		"docs/old.txt": "token: " + ghOld + "\n",
	})
	c["rm"] = r.commit("remove notes", map[string]string{"docs/old.txt": ""})
	r.git("mv", "config.py", "settings.py")
	c["mv"] = r.commit("rename config to settings", nil)
	r.git("merge", "-q", "--no-ff", "-m", "Merge branch feature", "feature")
	c["merge"] = r.git("rev-parse", "HEAD")
	r.git("checkout", "-q", "-b", "wip")
	c["wip"] = r.commit("wip: billing", map[string]string{
		"billing/wip.py": "STRIPE = \"" + stripeWip + "\"\n",
	})
	r.git("checkout", "-q", "main")
	c["stripe"] = r.commit("charge cards", map[string]string{
		"app.py": "def main():\n    key = '" + stripeApp + "'\n    return 0\n",
	})
	c["revert"] = r.commit("Revert charge cards", map[string]string{
		"app.py": "def main():\n    return 0\n",
	})
	r.git("tag", "v1.0")
	r.git("tag", "-a", "-m", "release 1.1", "v1.1")
	c["msg"] = r.commit("fix deploy\n\nused "+groqMessage+" to test", map[string]string{
		"README.md": "# demo\n\ndeploy notes\n",
	})
	r.git("checkout", "-q", "-b", "tmp")
	c["tagonly"] = r.commit("experiment", map[string]string{
		"lab/tagonly.py": "k = '" + awsTagOnly + "'\n",
	})
	r.git("tag", "-a", "-m", "keep the experiment", "experiment")
	r.git("checkout", "-q", "main")
	r.git("branch", "-q", "-D", "tmp")
	// Two stashes: the older is only in refs/stash's reflog.
	r.write(map[string]string{"app.py": "def main():\n    return 0\ngroq = '" + groqStash1 + "'\n"})
	r.git("stash", "push", "-q", "-m", "first")
	r.write(map[string]string{
		"app.py":       "def main():\n    return 0\ngh = '" + ghStash2 + "'\n",
		"untracked.py": "AWS = '" + awsUntrack + "'\n",
	})
	r.git("stash", "push", "-q", "-u", "-m", "second")
	c["stash1"] = r.git("rev-parse", "stash@{1}")
	c["stash2"] = r.git("rev-parse", "stash@{0}")
	c["stash2untracked"] = r.git("rev-parse", "stash@{0}^3")
	return &scenario{repo: r, c: c}
}

// want is one expected finding: where, which rule, which value, which commit.
type want struct {
	file, rule, secret, commit string
	line                       int
}

func (s *scenario) wantAll() []want {
	return []want{
		{"config.py", "aws-access-key", awsConfig, s.c["aws"], 2},
		{"feature.py", "groq-api-key", groqFeature, s.c["feature1"], 2},
		{"docs/old.txt", "github-pat", ghOld, s.c["old"], 1},
		{"settings.py", "aws-access-key", awsConfig, s.c["mv"], 2},
		{"billing/wip.py", "stripe-secret-key", stripeWip, s.c["wip"], 1},
		{"app.py", "stripe-secret-key", stripeApp, s.c["stripe"], 2},
		{"", "groq-api-key", groqMessage, s.c["msg"], 3},
		{"lab/tagonly.py", "aws-access-key", awsTagOnly, s.c["tagonly"], 1},
		{"app.py", "groq-api-key", groqStash1, s.c["stash1"], 3},
		{"app.py", "github-pat", ghStash2, s.c["stash2"], 3},
		{"untracked.py", "aws-access-key", awsUntrack, s.c["stash2untracked"], 1},
	}
}

func got(fs []scanner.Finding) []want {
	out := make([]want, 0, len(fs))
	for _, f := range fs {
		out = append(out, want{f.File, f.RuleID, f.Secret, f.Commit, f.StartLine})
	}
	return out
}

func sortWants(ws []want) []want {
	ws = append([]want(nil), ws...)
	sort.Slice(ws, func(i, j int) bool {
		return fmt.Sprint(ws[i]) < fmt.Sprint(ws[j])
	})
	return ws
}

func sameWants(t *testing.T, label string, gotW, wantW []want) {
	t.Helper()
	g, w := sortWants(gotW), sortWants(wantW)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: findings differ\n got:\n%s\nwant:\n%s", label, fmtWants(g), fmtWants(w))
	}
}

func fmtWants(ws []want) string {
	var b strings.Builder
	for _, w := range ws {
		fmt.Fprintf(&b, "  %-16s %-18s line %d commit %.12s %.12s…\n", w.file, w.rule, w.line, w.commit, w.secret)
	}
	return b.String()
}

// TestScenario asserts exactly which secrets history reports and at which
// commits, with both readers, with and without line skipping, on the
// repository and on a bare mirror of it.
func TestScenario(t *testing.T) {
	s := buildScenario(t)
	d := testDetector(t)
	mirror := filepath.Join(t.TempDir(), "mirror.git")
	s.repo.git("clone", "-q", "--mirror", s.repo.dir, mirror)

	var reference []scanner.Finding
	for _, tc := range []struct {
		name string
		repo string
		opts Options
		// A mirror has refs/stash but not its reflog: the older stash
		// is not reachable there.
		mirror bool
	}{
		{"git", s.repo.dir, Options{Reader: ReaderGit}, false},
		{"go-git", s.repo.dir, Options{Reader: ReaderGoGit}, false},
		{"git no line skip", s.repo.dir, Options{Reader: ReaderGit, NoLineSkip: true}, false},
		{"go-git one worker", s.repo.dir, Options{Reader: ReaderGoGit, Workers: 1}, false},
		{"bare mirror git", mirror, Options{Reader: ReaderGit}, true},
		{"bare mirror go-git", mirror, Options{Reader: ReaderGoGit}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var warnings []string
			tc.opts.Warn = func(m string) { warnings = append(warnings, m) }
			fs, stats, err := Scan(context.Background(), tc.repo, d, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) > 0 {
				t.Errorf("warnings: %q", warnings)
			}
			wantW := s.wantAll()
			if tc.mirror {
				wantW = slicesDelete(wantW, func(w want) bool { return w.commit == s.c["stash1"] })
			}
			sameWants(t, tc.name, got(fs), wantW)
			if tc.mirror {
				return
			}
			// Every reader and setting gives the very same findings,
			// byte for byte (author, dates, columns, fingerprints).
			if reference == nil {
				reference = fs
			} else if !reflect.DeepEqual(fs, reference) {
				t.Errorf("findings differ from the first run's:\n%v\n%v", fs, reference)
			}
			if stats.Commits == 0 || stats.Blobs == 0 {
				t.Errorf("stats = %+v", stats)
			}
		})
	}

	// Attribution details, and the message finding's shape.
	for _, f := range reference {
		if f.Author != "Dev One" || f.Email != "dev@example.com" || !strings.HasPrefix(f.Date, "2024-01-01T00:") || !strings.HasSuffix(f.Date, "Z") {
			t.Errorf("%s: author %q <%s> date %q", f.File, f.Author, f.Email, f.Date)
		}
		switch f.Commit {
		case s.c["msg"]:
			if !f.InMessage || f.File != "" || f.Message != "fix deploy" {
				t.Errorf("message finding = %+v", f.Redacted())
			}
		case s.c["stripe"]:
			if f.Message != "charge cards" || f.StartColumn != 12 || f.InMessage {
				t.Errorf("stripe finding = %+v", f.Redacted())
			}
		}
	}
}

func slicesDelete(ws []want, drop func(want) bool) []want {
	var out []want
	for _, w := range ws {
		if !drop(w) {
			out = append(out, w)
		}
	}
	return out
}

// TestNarrowing checks --branch, --range and --since.
func TestNarrowing(t *testing.T) {
	s := buildScenario(t)
	d := testDetector(t)
	all := s.wantAll()
	pick := func(commits ...string) []want {
		var out []want
		for _, w := range all {
			for _, c := range commits {
				if w.commit == s.c[c] {
					out = append(out, w)
				}
			}
		}
		return out
	}
	tests := []struct {
		name string
		opts Options
		want []want
	}{
		{"branch main", Options{Branches: []string{"main"}},
			pick("aws", "feature1", "old", "mv", "stripe", "msg")},
		{"branch wip", Options{Branches: []string{"wip"}},
			pick("aws", "feature1", "old", "mv", "wip")},
		{"two branches", Options{Branches: []string{"feature", "experiment"}},
			pick("aws", "feature1", "old", "mv", "stripe", "msg", "tagonly")},
		{"range", Options{Range: "v1.0..main"}, pick("msg")},
		{"range from commit", Options{Range: s.c["edit"] + "..wip"},
			// The merge brings feature.py into this range's first-parent
			// line, but feature1 itself is in range too (not reachable
			// from edit), so it keeps the attribution.
			pick("feature1", "old", "mv", "wip")},
		{"range to HEAD", Options{Range: "v1.0.."}, pick("msg")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, reader := range []string{ReaderGit, ReaderGoGit} {
				tt.opts.Reader = reader
				fs, _, err := Scan(context.Background(), s.repo.dir, d, tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				sameWants(t, tt.name+" "+reader, got(fs), tt.want)
			}
		})
	}

	// --since: the scenario's clock starts at 2024-01-01T00:00:00Z and
	// ticks once per git command; only commits from "stripe" on are kept.
	stripeTime := commitTime(t, s, "stripe")
	fs, _, err := Scan(context.Background(), s.repo.dir, d, Options{Since: stripeTime})
	if err != nil {
		t.Fatal(err)
	}
	sameWants(t, "since", got(fs), pick("stripe", "msg", "tagonly", "stash1", "stash2", "stash2untracked"))

	for _, bad := range []Options{
		{Range: "a...b"},
		{Range: "nope"},
		{Range: "main..no-such-ref"},
		{Branches: []string{"no-such-branch"}},
		{Range: "v1.0..main", Branches: []string{"main"}},
		{Reader: "svn"},
	} {
		if _, _, err := Scan(context.Background(), s.repo.dir, d, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func commitTime(t *testing.T, s *scenario, name string) time.Time {
	t.Helper()
	out := s.repo.git("show", "-s", "--format=%cI", s.c[name])
	tm, err := time.Parse(time.RFC3339, out)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestNotARepository gives a clear error.
func TestNotARepository(t *testing.T) {
	_, _, err := Scan(context.Background(), t.TempDir(), testDetector(t), Options{})
	if !errors.Is(err, ErrNotRepository) {
		t.Fatalf("err = %v", err)
	}
}

// TestCancelled: a cancelled scan returns the context's error and nothing
// else, whether it is cancelled before or while reading blobs.
func TestCancelled(t *testing.T) {
	s := buildScenario(t)
	d := testDetector(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fs, _, err := Scan(ctx, s.repo.dir, d, Options{})
	if !errors.Is(err, context.Canceled) || fs != nil {
		t.Fatalf("pre-cancelled: %v, %d findings", err, len(fs))
	}
	for _, reader := range []string{ReaderGit, ReaderGoGit} {
		ctx, cancel := context.WithCancel(context.Background())
		opts := Options{Reader: reader, beforeBlob: cancel}
		fs, _, err := Scan(ctx, s.repo.dir, d, opts)
		cancel()
		if !errors.Is(err, context.Canceled) || fs != nil {
			t.Fatalf("%s: cancelled while reading: %v, %d findings", reader, err, len(fs))
		}
	}
}

// TestShallowClone: a shallow clone is scanned as far as it goes, and the
// scan says it is partial.
func TestShallowClone(t *testing.T) {
	s := buildScenario(t)
	d := testDetector(t)
	dst := filepath.Join(t.TempDir(), "shallow")
	s.repo.git("clone", "-q", "--depth", "2", "--no-local", "file://"+s.repo.dir, dst)
	for _, reader := range []string{ReaderGit, ReaderGoGit} {
		var warnings []string
		fs, stats, err := Scan(context.Background(), dst, d, Options{Reader: reader, Warn: func(m string) { warnings = append(warnings, m) }})
		if err != nil {
			t.Fatal(err)
		}
		if !stats.Shallow || len(warnings) != 1 || !strings.Contains(warnings[0], "shallow") || !strings.Contains(warnings[0], "partial") {
			t.Errorf("%s: shallow %v, warnings %q", reader, stats.Shallow, warnings)
		}
		// The clone has main's last two commits; the boundary commit
		// ("Revert charge cards") stands for everything before it, so
		// the secrets still in its tree are attributed to it.
		revert := s.c["revert"]
		sameWants(t, "shallow "+reader, got(fs), []want{
			{"settings.py", "aws-access-key", awsConfig, revert, 2},
			{"feature.py", "groq-api-key", groqFeature, revert, 2},
			{"", "groq-api-key", groqMessage, s.c["msg"], 3},
		})
	}
}

// TestMissingAndCorruptObjects: an object that is gone or damaged is named,
// the rest of the history is still scanned, and the error says the scan is
// incomplete — identically with both readers.
func TestMissingAndCorruptObjects(t *testing.T) {
	// "corrupt pack" makes git cat-file die mid-stream: the reader must
	// restart it and go on.
	for _, damage := range []string{"missing", "corrupt", "corrupt pack"} {
		t.Run(damage, func(t *testing.T) {
			r := newTestRepo(t)
			c1 := r.commit("one", map[string]string{"a.py": "k = '" + awsConfig + "'\n"})
			r.commit("two", map[string]string{"b.py": strings.Repeat("x = 'some filler text to compress'\n", 40) + "k = '" + ghOld + "'\n"})
			c3 := r.commit("three", map[string]string{"c.py": "k = '" + stripeApp + "'\n"})
			blob := r.git("rev-parse", "HEAD:b.py")
			obj := filepath.Join(r.dir, ".git", "objects", blob[:2], blob[2:])
			var err error
			switch damage {
			case "missing":
				err = os.Remove(obj)
			case "corrupt":
				os.Chmod(obj, 0o644)
				err = os.WriteFile(obj, []byte("this is not zlib data at all"), 0o644)
			default:
				r.git("gc", "-q")
				err = corruptPacked(r, blob)
			}
			if err != nil {
				t.Fatal(err)
			}
			d := testDetector(t)
			var first []scanner.Finding
			for _, reader := range []string{ReaderGit, ReaderGoGit} {
				var warnings []string
				fs, _, err := Scan(context.Background(), r.dir, d, Options{Reader: reader, Warn: func(m string) { warnings = append(warnings, m) }})
				if !errors.Is(err, ErrIncomplete) {
					t.Fatalf("%s: err = %v", reader, err)
				}
				sameWants(t, reader, got(fs), []want{
					{"a.py", "aws-access-key", awsConfig, c1, 1},
					{"c.py", "stripe-secret-key", stripeApp, c3, 1},
				})
				msg := err.Error()
				if len(warnings) != 0 || !strings.Contains(msg, blob) || !strings.Contains(msg, "b.py") || !strings.Contains(msg, "1 missing or corrupt") {
					t.Errorf("%s: error %q (warnings %q) should name blob %s at b.py", reader, msg, warnings, blob)
				}
				if damage == "missing" && !strings.Contains(msg, "object missing") {
					t.Errorf("%s: error %q should say missing", reader, msg)
				}
				if damage == "corrupt" && !strings.Contains(msg, "corrupt") {
					t.Errorf("%s: error %q should say corrupt", reader, msg)
				}
				if first == nil {
					first = fs
				} else if !reflect.DeepEqual(first, fs) {
					t.Errorf("readers disagree")
				}
			}
		})
	}
}

// corruptPacked overwrites the middle of a packed object's compressed data.
func corruptPacked(r *testRepo, blob string) error {
	packs, _ := filepath.Glob(filepath.Join(r.dir, ".git", "objects", "pack", "*.idx"))
	if len(packs) != 1 {
		return fmt.Errorf("want one pack, have %v", packs)
	}
	for _, line := range strings.Split(r.git("verify-pack", "-v", packs[0]), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[0] != blob {
			continue
		}
		var size, off int
		fmt.Sscan(f[3], &size)
		fmt.Sscan(f[4], &off)
		pack := strings.TrimSuffix(packs[0], ".idx") + ".pack"
		data, err := os.ReadFile(pack)
		if err != nil {
			return err
		}
		for i := off + 4; i < off+size-4; i++ {
			data[i] = 0x55
		}
		os.Chmod(pack, 0o644)
		return os.WriteFile(pack, data, 0o644)
	}
	return fmt.Errorf("blob %s not in the pack", blob)
}

// TestLineSkipKeepsChangedKeyBodies: a private key whose body changes while
// its BEGIN line (the keyword) stays is found in both versions, though the
// second version's keyword line was already scanned.
func TestLineSkipKeepsChangedKeyBodies(t *testing.T) {
	r := newTestRepo(t)
	key := func(body string) string {
		var b strings.Builder
		b.WriteString("-----BEGIN RSA PRIVATE KEY-----\n")
		for i := 0; i < 8; i++ {
			b.WriteString(strings.Repeat(body, 64/len(body)) + "\n")
		}
		b.WriteString("-----END RSA PRIVATE KEY-----\n")
		return b.String()
	}
	c1 := r.commit("key one", map[string]string{"deploy/id_rsa": "# header\n" + key("MIIEpAIBAAKCAQEAx1")})
	c2 := r.commit("key two", map[string]string{"deploy/id_rsa": "# header\n" + key("QWERTYuiopASDF12")})
	fs, _, err := Scan(context.Background(), r.dir, testDetector(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].Commit != c1 || fs[1].Commit != c2 || fs[0].StartLine != 2 || fs[1].StartLine != 2 {
		t.Fatalf("findings: %+v", fs)
	}
}

// TestLineSkipMatchesFullScans: skipping unchanged lines (scanning only
// excerpts around changed ones) must find exactly what scanning every
// version in full finds — same commits, lines, columns, offsets. The
// history here edits a few long files at random places, adds secrets
// (plain and base64-encoded, some next to old keyword lines), and moves
// them around; the default rule pack is used.
func TestLineSkipMatchesFullScans(t *testing.T) {
	r := newTestRepo(t)
	rng := rand.New(rand.NewSource(7))
	secrets := []string{
		"aws_access_key_id = \"" + awsConfig + "\"",
		"GITHUB_TOKEN=" + ghOld,
		"stripe.api_key = '" + stripeApp + "'",
		"groq: " + groqFeature,
		"auth: " + base64.StdEncoding.EncodeToString([]byte("token="+ghStash2)),
		"password = \"Tr0ub4dor&3-horse\"",
	}
	files := map[string][]string{}
	for _, name := range []string{"a/service.py", "b/config.yaml", "c/notes.md"} {
		var lines []string
		for i := 0; i < 300; i++ {
			lines = append(lines, fmt.Sprintf("line %d: the api key rotation of item %d happens here", i, rng.Intn(1000)))
		}
		files[name] = lines
	}
	names := []string{"a/service.py", "b/config.yaml", "c/notes.md"}
	for c := 0; c < 25; c++ {
		name := names[rng.Intn(len(names))]
		lines := append([]string(nil), files[name]...)
		for e := 0; e < 1+rng.Intn(3); e++ {
			i := rng.Intn(len(lines))
			switch rng.Intn(4) {
			case 0:
				lines = append(lines[:i], append([]string{secrets[rng.Intn(len(secrets))]}, lines[i:]...)...)
			case 1:
				lines[i] = fmt.Sprintf("changed %d token handling", rng.Intn(1000))
			case 2:
				lines = append(lines[:i], lines[i+1:]...)
			default:
				if name == "c/notes.md" { // one path takes the multiline-keyword route
					lines = append(lines[:i], append([]string{"-----BEGIN RSA PRIVATE KEY-----"}, lines[i:]...)...)
				}
			}
		}
		files[name] = lines
		r.commit(fmt.Sprintf("edit %d", c), map[string]string{name: strings.Join(lines, "\n") + "\n"})
	}
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := scanner.New(cfg, scanner.Options{})
	full, _, err := Scan(context.Background(), r.dir, d, Options{NoLineSkip: true})
	if err != nil {
		t.Fatal(err)
	}
	skip, stats, err := Scan(context.Background(), r.dir, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(full) < 6 {
		t.Fatalf("only %d findings: the test history is too tame", len(full))
	}
	if stats.SkippedBytes == 0 {
		t.Errorf("nothing was skipped: %+v", stats)
	}
	t.Logf("%d findings; %d of %d bytes skipped", len(full), stats.SkippedBytes, stats.ScannedBytes)
	if !reflect.DeepEqual(full, skip) {
		t.Errorf("line skipping changed the findings:\nfull:\n%s\nskip:\n%s", describe(full), describe(skip))
	}
}

func describe(fs []scanner.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s:%d:%d-%d:%d [%d,%d) %.10s %s\n", f.RuleID, f.File, f.StartLine, f.StartColumn, f.EndLine, f.EndColumn, f.SecretStart, f.SecretEnd, f.Commit, f.Encoding)
	}
	return b.String()
}
