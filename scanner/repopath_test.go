package scanner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileSourceRepoRelative: with RepoRelative, files inside a work tree
// are named from its root whichever directory or file is the root; without
// it, or outside a work tree, from the root as before.
func TestFileSourceRepoRelative(t *testing.T) {
	secret := `groq = "` + groqKey + `"` + "\n"
	repo := t.TempDir()
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil { // enough for findWorkTree
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(repo, "svc/api/main.py"), secret, 0o644)
	plain := t.TempDir()
	writeFile(t, filepath.Join(plain, "svc/api/main.py"), secret, 0o644)
	tests := []struct {
		name string
		src  FileSource
		want string
	}{
		{"repo root", FileSource{Roots: []string{repo}, RepoRelative: true}, "svc/api/main.py"},
		{"sub-directory", FileSource{Roots: []string{filepath.Join(repo, "svc")}, RepoRelative: true}, "svc/api/main.py"},
		{"deeper", FileSource{Roots: []string{filepath.Join(repo, "svc", "api")}, RepoRelative: true}, "svc/api/main.py"},
		{"a file", FileSource{Roots: []string{filepath.Join(repo, "svc", "api", "main.py")}, RepoRelative: true}, "svc/api/main.py"},
		{"off", FileSource{Roots: []string{filepath.Join(repo, "svc")}}, "api/main.py"},
		{"outside a work tree", FileSource{Roots: []string{filepath.Join(plain, "svc")}, RepoRelative: true}, "api/main.py"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, _, err := scanFiles(t, &tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(files, ","); got != tt.want {
				t.Errorf("files %q, want %q", got, tt.want)
			}
		})
	}
}
