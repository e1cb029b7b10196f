package main

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// proxyVersion is the version the test publishes to its module proxy.
const proxyVersion = "v0.9.0-proxytest"

// TestGoInstallFromModuleProxy is the README's install line run for real:
// this module is published to a file:// module proxy (info, mod and zip,
// as proxy.golang.org serves them), and `go install
// github.com/leakfix/leakfix/cmd/leakfix@VERSION` runs with a clean GOPATH
// and module cache. Dependencies come from this machine's module cache
// (served as a second file:// proxy), then proxy.golang.org. The installed
// binary must run and report the module version.
func TestGoInstallFromModuleProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module from a module proxy")
	}
	goBin := histRequireTool(t, "go")
	gitBin := histRequireTool(t, "git")
	goenv := func(name string) string {
		out, err := exec.Command(goBin, "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	src := pcHookRepo(t, gitBin) // the module's files, tests left out
	proxy := filepath.Join(t.TempDir(), "proxy")
	const module = "github.com/leakfix/leakfix"
	vdir := filepath.Join(proxy, filepath.FromSlash(module), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(gomod), "module "+module+"\n") {
		t.Fatalf("go.mod does not declare module %s", module)
	}
	writeFile(t, filepath.Join(vdir, "list"), proxyVersion+"\n")
	writeFile(t, filepath.Join(vdir, proxyVersion+".info"), `{"Version":"`+proxyVersion+`","Time":"2026-01-01T00:00:00Z"}`)
	writeFile(t, filepath.Join(vdir, proxyVersion+".mod"), string(gomod))
	moduleZip(t, src, module+"@"+proxyVersion, filepath.Join(vdir, proxyVersion+".zip"))

	home := t.TempDir()
	cmd := exec.Command(goBin, "install", module+"/cmd/leakfix@"+proxyVersion)
	cmd.Dir = home
	cmd.Env = []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"GOPATH=" + filepath.Join(home, "gopath"),
		"GOMODCACHE=" + filepath.Join(home, "modcache"),
		"GOCACHE=" + goenv("GOCACHE"),
		"GOPROXY=file://" + filepath.ToSlash(proxy) + ",file://" + filepath.ToSlash(filepath.Join(goenv("GOMODCACHE"), "cache", "download")) + ",https://proxy.golang.org",
		"GOSUMDB=off",
		"GOFLAGS=-mod=mod -modcacherw",
		"GOTOOLCHAIN=local",
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(home, "gopath", "bin", "leakfix"), "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "leakfix "+proxyVersion+" (module "+module+"@"+proxyVersion+")") {
		t.Errorf("installed leakfix version: %v\n%s", err, out)
	}
}

// moduleZip writes a module zip: every file under dir (but .git) at
// prefix/path, as `go mod download` expects.
func moduleZip(t *testing.T, dir, prefix, dst string) {
	t.Helper()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() {
			if info.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(prefix + "/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, p, body string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVersionStamps: a build inside a git checkout reports the revision it
// was built from; -ldflags -X main.version stamps a release version.
func TestVersionStamps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module")
	}
	goBin := histRequireTool(t, "go")
	gitBin := histRequireTool(t, "git")
	src := pcHookRepo(t, gitBin)
	rev, err := exec.Command(gitBin, "-C", src, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "leakfix")
	build := exec.Command(goBin, "build", "-buildvcs=true", "-ldflags", "-X main.version=v1.2.3", "-o", bin, "./cmd/leakfix")
	build.Dir = src
	build.Env = append(os.Environ(), "GOFLAGS=", "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"leakfix v1.2.3 ", "revision " + strings.TrimSpace(string(rev))} {
		if !strings.Contains(string(out), want) {
			t.Errorf("version output %q lacks %q", out, want)
		}
	}
}
