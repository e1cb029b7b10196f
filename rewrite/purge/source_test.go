package purge

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestStripURLCredentials(t *testing.T) {
	tests := []struct {
		in, want string
		had      bool
	}{
		{"https://github.com/acme/svc.git", "https://github.com/acme/svc.git", false},
		{"https://ghp_token123@github.com/acme/svc.git", "https://github.com/acme/svc.git", true},
		{"https://user:pass@git.example.com/svc.git", "https://git.example.com/svc.git", true},
		{"ssh://git@github.com/acme/svc.git", "ssh://git@github.com/acme/svc.git", false},
		{"ssh://git:pw@host/svc.git", "ssh://git@host/svc.git", true},
		{"git@github.com:acme/svc.git", "git@github.com:acme/svc.git", false},
		{"/srv/git/svc.git", "/srv/git/svc.git", false},
	}
	for _, tt := range tests {
		got, had := StripURLCredentials(tt.in)
		if got != tt.want || had != tt.had {
			t.Errorf("StripURLCredentials(%q) = %q, %v; want %q, %v", tt.in, got, had, tt.want, tt.had)
		}
	}
}

// TestSourceIsOrigin: the mirror is cloned from origin, without the
// credentials its URL may hold, and a relative path is the repository's.
func TestSourceIsOrigin(t *testing.T) {
	requireTool(t, "git")
	base := t.TempDir()
	repo := filepath.Join(base, "svc")
	gitRun(t, base, "init", "-q", "-b", "main", repo)
	gitRun(t, repo, "remote", "add", "origin", "https://ghp_"+strings.Repeat("x", 36)+"@github.com/acme/svc.git")
	var warned []string
	src, local := Source(repo, func(s string) { warned = append(warned, s) })
	if src != "https://github.com/acme/svc.git" || local || len(warned) != 1 || strings.Contains(warned[0], "ghp_") {
		t.Errorf("source %q local %v warnings %q", src, local, warned)
	}
	gitRun(t, repo, "remote", "set-url", "origin", "../upstream.git")
	if src, local := Source(repo, func(string) {}); src != filepath.Join(base, "upstream.git") || !local {
		t.Errorf("relative origin: source %q local %v", src, local)
	}
	gitRun(t, repo, "remote", "remove", "origin")
	if src, local := Source(repo, nil); src != repo || !local {
		t.Errorf("no origin: source %q local %v; want the repository itself", src, local)
	}
}
