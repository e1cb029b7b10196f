package purge

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rewrite/naming"
	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
	"github.com/leakfix/leakfix/scanner/history"
)

// testRules is a pack of three prefixed formats, so this test does not
// move with the default pack.
const testRules = `
[[rules]]
id = "groq-api-key"
description = "Groq API key"
regex = '''\b(gsk_[A-Za-z0-9]{52})\b'''
keywords = ["gsk_"]
provider = "groq"
name = "groq-api-key"

[[rules]]
id = "github-pat"
description = "GitHub personal access token"
regex = '''\b(ghp_[A-Za-z0-9]{36})\b'''
keywords = ["ghp_"]
provider = "github"
name = "github-{purpose}-token"

[[rules]]
id = "stripe-live-key"
description = "Stripe live secret key"
regex = '''\b(sk_live_[A-Za-z0-9]{24,})\b'''
keywords = ["sk_live_"]
provider = "stripe"
name = "stripe-secret-key"
`

const (
	testGitHub = "ghp_Xr4Tq9Lm2Wv7Kc1Zp8Yb3Nd6Hf0Js5Ag2UeW"
	testStripe = "sk_live_Pq7Rs2Tu9Vw4Xy1Za6Bc3De8"
)

// gitRun runs git in dir with a fixed identity and no user config.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func commitFile(t *testing.T, dir, path string, data []byte, msg string) {
	t.Helper()
	full := filepath.Join(dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", msg)
}

// filler is text of about n bytes with no secret in it.
func filler(n int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "INSERT INTO t VALUES (%d, 'row %d of filler text');\n", i, i)
	}
	return []byte(b.String())
}

func TestFindUnreachable(t *testing.T) {
	requireTool(t, "git")
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q", "-b", "main")
	// 1. A small dump with a key: the scan reports it here, once.
	commitFile(t, dir, "data.sql", []byte("-- key "+groq+"\n"), "dump")
	// 2. The dump grows past 1 MiB with the same key: BFG skips it, and
	// the scan does not report the same (path, key) again.
	commitFile(t, dir, "data.sql", append([]byte("-- key "+groq+"\n"), filler(1<<20+100)...), "bigger dump")
	// 3. A binary file holding a token that is also in a text file: the
	// scan skips binaries; both tools skip its content.
	bin := append([]byte{0x42, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0}, []byte("\x00\x10"+testGitHub+"\x00more")...)
	commitFile(t, dir, "app.pyc", bin, "compiled")
	commitFile(t, dir, "ci.env", []byte("GITHUB_TOKEN="+testGitHub+"\n"), "ci")
	// 4. A large log where a key first appears: the scan finds it there.
	commitFile(t, dir, "logs/big.log", append(filler(1<<20), []byte("stripe="+testStripe+"\n")...), "log")

	cfg, err := rules.Parse("test", []byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	findings, _, err := history.Scan(context.Background(), dir, scanner.New(cfg, scanner.Options{}), history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := naming.Assign(findings, cfg, nil); err != nil {
		t.Fatal(err)
	}
	p := Build(findings)
	blobID := func(rev string) string { return gitRun(t, dir, "rev-parse", rev) }
	bigDump := blobID("HEAD~2:data.sql")
	pyc := blobID("HEAD:app.pyc")
	bigLog := blobID("HEAD:logs/big.log")

	tests := []struct {
		name string
		git  string
		want map[string]string // id → "path binary large"
	}{
		{"with git", "", map[string]string{
			bigDump: "data.sql false true",
			pyc:     "app.pyc true false",
			bigLog:  "logs/big.log false true",
		}},
		// Without git only the blobs the findings point at are checked.
		{"without git", filepath.Join(dir, "no-such-git"), map[string]string{
			bigLog: "logs/big.log false true",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var warnings []string
			got, err := FindUnreachable(context.Background(), dir, p, findings,
				BlobOptions{Git: tt.git, Warn: func(s string) { warnings = append(warnings, s) }})
			if err != nil {
				t.Fatal(err)
			}
			have := map[string]string{}
			for _, u := range got {
				have[u.ID] = fmt.Sprintf("%s %v %v", strings.Join(u.Paths, ","), u.Binary, u.Large)
				if u.Size <= 0 {
					t.Errorf("%s: size %d", u.ID, u.Size)
				}
			}
			if fmt.Sprint(have) != fmt.Sprint(tt.want) {
				t.Errorf("unreachable blobs:\n got %v\nwant %v", have, tt.want)
			}
			if tt.git != "" && len(warnings) == 0 {
				t.Error("no warning that the sweep was skipped")
			}
			for _, w := range warnings {
				if strings.Contains(w, groq) || strings.Contains(w, testGitHub) || strings.Contains(w, testStripe) {
					t.Errorf("warning holds a value: %s", w)
				}
			}
		})
	}
}

// TestOpenRepositoryBare: a bare repository opens as itself, not as an
// enclosing work tree found by walking up.
func TestOpenRepositoryBare(t *testing.T) {
	requireTool(t, "git")
	outer := t.TempDir()
	gitRun(t, outer, "init", "-q", "-b", "main")
	commitFile(t, outer, "a.txt", []byte("outer\n"), "outer")
	bare := filepath.Join(outer, "inner.git")
	gitRun(t, outer, "init", "-q", "--bare", "-b", "main", bare)
	r, err := OpenRepository(bare)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Head(); err == nil {
		t.Error("opened the enclosing repository (it has a HEAD commit; the bare one is empty)")
	}
	sub := filepath.Join(outer, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	r, err = OpenRepository(sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Head(); err != nil {
		t.Errorf("a directory inside a work tree does not open its repository: %v", err)
	}
}
