package scanner

import (
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/leakfix/leakfix/rules"
)

// pathSample is a set of paths that exercise rule path patterns: the
// repository's own files, names the pack's patterns spell, each under
// several folders and inside archives, plus random bytes from the
// patterns' alphabet.
func pathSample(t *testing.T) []string {
	t.Helper()
	var paths []string
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(filepath.Join(root, "testdata"), func(p string, _ os.DirEntry, err error) error {
		if err == nil {
			rel, _ := filepath.Rel(root, p)
			paths = append(paths, filepath.ToSlash(rel))
		}
		return nil
	})
	names := []string{".npmrc", "npmrc", "x.npmrc", ".pypirc", "settings.xml", "maven-settings.xml", "settings.py",
		"app_settings.py", "settings/prod.py", "config/master.key", "config/credentials/prod.key", "a.yml", "A.YAML",
		"b.yaml", ".env", ".env.local", "prod.env", ".envrc", ".flaskenv", "Makefile", "GNUmakefile", "foo.mk",
		".git/config", ".git-credentials", ".gitmodules", ".config/git/credentials", ".pgpass", "pgpass.conf",
		"userlist.txt", ".htpasswd", "site.htpasswd-old.bak", "shadow", "gshadow-", "master.passwd", "my.cnf",
		"my.ini", ".s3cfg", ".boto", "boto.cfg", "application.yml", "bootstrap-dev.yaml", "auth.json",
		"gradle.properties", ".gem/credentials", ".oci/config", "oci_prod.ini", "WinSCP.ini", "winscp.reg",
		".vscode/sftp.json", "sftp-config-alt2.json", ".ftpconfig", ".remote-sync.json", "main.tf", "x.tfvars",
		"k.hcl", "id.p12", "store.JKS", ".dbeaver/data-sources.json", "robo3t.json", ".esmtprc", "netrc", "_netrc",
		"main.go", "README.md", "x.py", "conf", "café.yml", "日本.env", "a b.yaml", "x.zip", "UPPER.ENV"}
	dirs := []string{"", "a/", "deep/er/dir/", "x.zip!", "x.zip!inner/", "/abs/", "dir.yml/", ".env/"}
	for _, d := range dirs {
		for _, n := range names {
			paths = append(paths, d+n, d+n+".bak", d+n+"~", d+strings.ToUpper(n))
		}
	}
	r := rand.New(rand.NewSource(1))
	alpha := "./_-!abcdefghiklmnoprstuvwxyzAEKMNY0129 é"
	for range 5000 {
		var b strings.Builder
		for range 1 + r.Intn(24) {
			b.WriteByte(alpha[r.Intn(len(alpha))])
		}
		paths = append(paths, b.String(), b.String()+names[r.Intn(len(names))])
	}
	return append(paths, "", "/", "\xff.env", "a/\xc3.yml")
}

// TestReversedPathPatterns: every path pattern of the default pack (and a
// few hand-written ones) gives the same verdict reversed as forwards.
func TestReversedPathPatterns(t *testing.T) {
	cfg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	var pats []*regexp.Regexp
	for _, r := range cfg.Rules {
		if re := r.PathRegexp(); re != nil {
			pats = append(pats, re)
		}
	}
	if len(pats) < 20 {
		t.Fatalf("only %d path patterns in the default pack", len(pats))
	}
	for _, s := range []string{`(?m)\.env$`, `\.env`, `^a/(b|c)+d$`, `(?:^|/)\b\w+\.ya?ml$`, `x$|(?i)ÉTÉ\.txt$`, `(?s).+\.pem$`} {
		pats = append(pats, regexp.MustCompile(s))
	}
	paths := pathSample(t)
	reversed := 0
	for _, re := range pats {
		rev := reverseEndAnchored(re)
		if rev == nil {
			continue
		}
		reversed++
		for _, p := range paths {
			rp, ok := reverseString(p)
			if !ok {
				continue
			}
			if want, got := re.MatchString(p), rev.MatchString(rp); want != got {
				t.Errorf("%s on %q: forwards %v, reversed (%s) %v", re, p, want, rev, got)
			}
		}
	}
	if reversed < len(pats)-2 {
		t.Errorf("only %d of %d patterns reversed", reversed, len(pats))
	}
	for _, s := range []string{`(?m)\.env$`, `\.env`, `a$|b`} {
		if reverseEndAnchored(regexp.MustCompile(s)) != nil {
			t.Errorf("%s is not end-anchored but was reversed", s)
		}
	}
}

// TestPathMatchesInvalidUTF8: a path that is not UTF-8 is judged by the
// pattern itself.
func TestPathMatchesInvalidUTF8(t *testing.T) {
	re := regexp.MustCompile(`(?:^|/)\.env$`)
	d := &Detector{pathRev: make([]reversedPath, 1)}
	for _, p := range []string{"a/.env", "\xff/.env", "\xff.env", ".env\xff"} {
		var rev reversePath
		if got, want := d.pathMatches(0, re, p, &rev), re.MatchString(p); got != want {
			t.Errorf("%q: %v, want %v", p, got, want)
		}
	}
}
