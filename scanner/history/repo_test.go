package history

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// requireTool returns the path of an outside program, skipping the test
// when it is missing — or failing it when LEAKFIX_REQUIRE_TOOLS=1 says the
// environment promised every tool.
func requireTool(t testing.TB, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		if os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
			t.Fatalf("this test needs %s (LEAKFIX_REQUIRE_TOOLS=1): %v", program, err)
		}
		t.Skipf("this test needs %s: %v", program, err)
	}
	return p
}

// testPack is small and stable so these tests do not move with the
// default pack. The values below match these rules and nothing else.
const testPack = `
[[rules]]
id = "aws-access-key"
description = "AWS access key id"
regex = '''\b(AKIA[A-Z2-7]{16})\b'''
keywords = ["akia"]

[[rules]]
id = "github-pat"
description = "GitHub token"
regex = '''\b(ghp_[A-Za-z0-9]{36})\b'''
keywords = ["ghp_"]

[[rules]]
id = "groq-api-key"
description = "Groq API key"
regex = '''\b(gsk_[A-Za-z0-9]{52})\b'''
keywords = ["gsk_"]

[[rules]]
id = "stripe-secret-key"
description = "Stripe secret key"
regex = '''\b(sk_live_[A-Za-z0-9]{24,99})\b'''
keywords = ["sk_live_"]

[[rules]]
id = "private-key"
description = "Private key"
regex = '''-----BEGIN[ A-Z]*PRIVATE KEY-----[\s\S]{64,}?-----END[ A-Z]*PRIVATE KEY-----'''
keywords = ["-----begin"]
multiline = true
`

// Secrets used by the tests, one per role so a finding's value says where
// it came from.
const (
	awsConfig   = "AKIAQ3EGUWN5VTL7ZB4X" // config.py, later renamed
	groqFeature = "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"
	ghOld       = "ghp_Zq8Xw2Ln5Vb9Kc3Md7Fg1Hj4Pt6Ry0Es2Uaq" // old.txt, deleted
	stripeWip   = "sk_live_Hb4Nq8Xc2Vm6Zt9Lp3Kr7Dw5Fy1Gs"    // unmerged branch
	stripeApp   = "sk_live_Pw3Mz7Qx1Cv5Bn9Lk2Jh6Gf4Ds8At"    // added then reverted
	groqMessage = "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"
	awsTagOnly  = "AKIAZ7HN2KQ4WX6PLM3T" // only reachable from a tag
	groqStash1  = "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"
	ghStash2    = "ghp_Mn4Bv8Cx2Zl6Kj0Hg3Fd7Sa1Qw5Er9Ty2Uiw"
	awsUntrack  = "AKIAW4RT7YU2IO5PL6KJ"
)

func testDetector(t testing.TB) *scanner.Detector {
	t.Helper()
	cfg, err := rules.Parse("history-test", []byte(testPack))
	if err != nil {
		t.Fatal(err)
	}
	return scanner.New(cfg, scanner.Options{NoBase64: true})
}

// testRepo builds a real repository with the git binary. Every commit gets
// the next second of a fixed clock, so hashes are the same on every run.
type testRepo struct {
	t     testing.TB
	dir   string
	tick  int64
	empty string // an empty file, for GIT_CONFIG_GLOBAL
}

func newTestRepo(t testing.TB) *testRepo {
	t.Helper()
	requireTool(t, "git")
	r := &testRepo{t: t, dir: t.TempDir(), empty: filepath.Join(t.TempDir(), "empty-gitconfig")}
	if err := os.WriteFile(r.empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r.git("init", "-q", "-b", "main")
	return r
}

// env is the environment of every git command: fixed identity and dates,
// no user or system configuration.
func (r *testRepo) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	date := fmt.Sprintf("%d +0000", 1704067200+r.tick) // 2024-01-01T00:00:00Z + tick
	return append(env, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+r.empty,
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
}

// git runs git in the repository and returns its trimmed output.
func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return r.gitEnv(nil, args...)
}

// gitEnv is git with extra environment variables.
func (r *testRepo) gitEnv(extra []string, args ...string) string {
	r.t.Helper()
	r.tick++
	cmd := exec.Command("git", append([]string{"-c", "user.name=Dev One", "-c", "user.email=dev@example.com",
		"-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
	cmd.Dir = r.dir
	cmd.Env = append(r.env(), extra...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// write sets files in the work tree; an empty content deletes the file.
func (r *testRepo) write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// commit writes files, stages everything and commits; it returns the full
// hash of the new commit.
func (r *testRepo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	r.write(files)
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}
