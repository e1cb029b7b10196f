package scanner

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func scanFiles(t *testing.T, src *FileSource) ([]string, Stats, error) {
	t.Helper()
	fs, st, err := src.Scan(context.Background(), testDetector(t))
	var files []string
	for _, f := range fs {
		files = append(files, f.File)
	}
	sort.Strings(files)
	return files, st, err
}

func TestFileSourceWalk(t *testing.T) {
	root := t.TempDir()
	secret := `groq = "` + groqKey + `"` + "\n"
	writeFile(t, filepath.Join(root, "app/main.py"), secret, 0o644)
	writeFile(t, filepath.Join(root, "build/out.py"), secret, 0o644)
	writeFile(t, filepath.Join(root, "logs/x.log"), secret, 0o644)
	writeFile(t, filepath.Join(root, "bin/blob.bin"), "\x00\x01"+secret, 0o644)
	writeFile(t, filepath.Join(root, "big.txt"), strings.Repeat("a", 2000)+secret, 0o644)
	writeFile(t, filepath.Join(root, ".gitignore"), "build/\n*.log\n", 0o644)
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "leak.py"), secret, 0o644)
	if err := os.Symlink(filepath.Join(outside, "leak.py"), filepath.Join(root, "link.py")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "linkdir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "missing"), filepath.Join(root, "broken.py")); err != nil {
		t.Fatal(err)
	}

	// Not a git work tree: .gitignore means nothing.
	files, st, err := scanFiles(t, &FileSource{Roots: []string{root}, MaxFileSize: 1000})
	var tl *TooLargeError
	if !errors.As(err, &tl) || !Incomplete(err) || strings.Join(tl.Names, ",") != "big.txt" {
		t.Fatalf("err = %v, want an incomplete scan naming big.txt", err)
	}
	want := "app/main.py,build/out.py,logs/x.log"
	if strings.Join(files, ",") != want {
		t.Errorf("outside a work tree: files = %v, want %s", files, want)
	}
	if st.Binary != 1 || st.TooLarge != 1 {
		t.Errorf("stats = %+v, want 1 binary and 1 too large", st)
	}

	// Inside a git work tree: .gitignore applies, --no-ignore lifts it.
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, ".git/config"), secret, 0o644)
	files, _, err = scanFiles(t, &FileSource{Roots: []string{root}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(files, ",") != "app/main.py,big.txt" {
		t.Errorf("in a work tree: files = %v", files)
	}
	files, _, _ = scanFiles(t, &FileSource{Roots: []string{root}, NoIgnore: true})
	if strings.Join(files, ",") != "app/main.py,big.txt,build/out.py,logs/x.log" {
		t.Errorf("--no-ignore: files = %v", files)
	}
}

func TestFileSourceRealGitignoreNegation(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
			t.Fatalf("this test needs git: %v", err)
		}
		t.Skipf("this test needs git: %v", err)
	}
	root := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", root).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	secret := `groq = "` + groqKey + `"` + "\n"
	writeFile(t, filepath.Join(root, ".gitignore"), "*.env\n!keep.env\n", 0o644)
	writeFile(t, filepath.Join(root, "a.env"), secret, 0o644)
	writeFile(t, filepath.Join(root, "keep.env"), secret, 0o644)
	writeFile(t, filepath.Join(root, "sub/.gitignore"), "local.py\n", 0o644)
	writeFile(t, filepath.Join(root, "sub/local.py"), secret, 0o644)
	writeFile(t, filepath.Join(root, "local.py"), secret, 0o644)
	files, _, err := scanFiles(t, &FileSource{Roots: []string{filepath.Join(root)}})
	if err != nil {
		t.Fatal(err)
	}
	// Ask git itself which files it would track, and compare.
	out, err := exec.Command("git", "-C", root, "ls-files", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatal(err)
	}
	var gitFiles []string
	for _, f := range strings.Fields(string(out)) {
		if f != ".gitignore" && f != "sub/.gitignore" {
			gitFiles = append(gitFiles, f)
		}
	}
	sort.Strings(gitFiles)
	if strings.Join(files, ",") != strings.Join(gitFiles, ",") {
		t.Errorf("leakfix scanned %v, git would track %v", files, gitFiles)
	}
}

func TestFileSourceUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		// root reads everything; simulate with a directory we cannot list.
		t.Log("running as root: permission bits do not stop reads")
	}
	root := t.TempDir()
	secret := `groq = "` + groqKey + `"` + "\n"
	writeFile(t, filepath.Join(root, "ok.py"), secret, 0o644)
	writeFile(t, filepath.Join(root, "locked.py"), secret, 0o000)
	var warnings []string
	src := &FileSource{Roots: []string{root}, Warn: func(s string) { warnings = append(warnings, s) }}
	fs, st, err := src.Scan(context.Background(), testDetector(t))
	if os.Geteuid() == 0 {
		if err != nil || len(fs) != 2 {
			t.Fatalf("as root: err=%v findings=%d", err, len(fs))
		}
		return
	}
	if !errors.Is(err, ErrUnreadable) || st.Unreadable != 1 || len(fs) != 1 {
		t.Fatalf("err=%v unreadable=%d findings=%d", err, st.Unreadable, len(fs))
	}
	if len(warnings) == 0 || !strings.Contains(warnings[0], "locked.py") {
		t.Errorf("warnings = %v", warnings)
	}
}

func TestFileSourceMissingRoot(t *testing.T) {
	_, _, err := scanFiles(t, &FileSource{Roots: []string{filepath.Join(t.TempDir(), "nope")}})
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
}

func TestFileSourceCancel(t *testing.T) {
	root := t.TempDir()
	for i := 0; i < 50; i++ {
		writeFile(t, filepath.Join(root, "d", strings.Repeat("x", i%7+1)+string(rune('a'+i%26))+".py"), "x = 1\n", 0o644)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := (&FileSource{Roots: []string{root}}).Scan(ctx, testDetector(t))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
