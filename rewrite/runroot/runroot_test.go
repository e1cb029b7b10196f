package runroot

import (
	"os"
	"path/filepath"
	"testing"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPlacement(t *testing.T) {
	dir := writeTree(t, map[string]string{
		".git/HEAD": "ref: refs/heads/main\n",
		// Dockerfile copies src onto WORKDIR: the service runs from src.
		"auth-service/Dockerfile":         "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY src/ .\nCMD [\"uvicorn\", \"main:app\"]\n",
		"auth-service/requirements.txt":   "fastapi\n",
		"auth-service/src/main.py":        "",
		"auth-service/src/routes/auth.py": "",
		// src layout without a Dockerfile, with its own utils package.
		"user-service/requirements.txt":         "",
		"user-service/src/utils/__init__.py":    "",
		"user-service/src/utils/email_utils.py": "",
		// A project whose package sits at the project root.
		"api/pyproject.toml":  "",
		"api/app/__init__.py": "",
		"api/app/main.py":     "",
		// No project file: the folder above the package.
		"loose/pkg/__init__.py": "",
		"loose/pkg/mod.py":      "",
		// COPY . . and a CMD that runs a script in a sub-folder.
		"worker/Dockerfile":   "FROM python:3.12 AS build\nRUN true\nFROM python:3.12\nWORKDIR /srv\nCOPY --from=build /x /y\nCOPY . .\nCMD python app/run.py\n",
		"worker/app/run.py":   "",
		"worker/app/tasks.py": "",
		// JS: package.json not copied as a folder → the copied src.
		// Copies src/ below the WORKDIR and runs from the WORKDIR: no
		// folder of the import path comes from the repository.
		"pkgcopy/Dockerfile":  "FROM python:3.12\nWORKDIR /app\nCOPY src/ ./src/\nCMD [\"uvicorn\", \"src.main:app\"]\n",
		"pkgcopy/src/main.py": "",
		// Built from the repository root: docker build -f services/pay/Dockerfile .
		"services/pay/Dockerfile":     "FROM python:3.12\nWORKDIR /app\nCOPY services/pay/app/ .\nCMD [\"python\", \"main.py\"]\n",
		"services/pay/app/main.py":    "",
		"services/pay/app/billing.py": "",
		"web/Dockerfile":              "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY src/ ./src/\nCMD [\"node\", \"src/index.js\"]\n",
		"web/package.json":            "{}\n",
		"web/src/index.js":            "",
		"web2/package.json":           "{}\n",
		"web2/lib/a/b.js":             "",
		"scripts/tool.js":             "",
		"gosvc/go.mod":                "module example.com/gosvc\n\ngo 1.22\n",
		"gosvc/cmd/a/main.go":         "",
		"godir/main.go":               "",
	})
	l, err := New(filepath.Join(dir, "auth-service"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Top != dir {
		t.Fatalf("Top = %s, want the repository root %s", l.Top, dir)
	}
	rel := func(p string) string {
		r, err := filepath.Rel(dir, p)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.ToSlash(r)
	}
	for _, tc := range []struct{ file, py, svc string }{
		{"auth-service/src/main.py", "auth-service/src", "auth-service"},
		{"auth-service/src/routes/auth.py", "auth-service/src", "auth-service"},
		{"user-service/src/utils/email_utils.py", "user-service/src", "user-service"},
		{"api/app/main.py", "api", "api"},
		{"loose/pkg/mod.py", "loose", "loose"},
		{"worker/app/tasks.py", "worker/app", "worker"},
		{"services/pay/app/billing.py", "services/pay/app", "services/pay"},
	} {
		f := filepath.Join(dir, tc.file)
		got, err := l.PythonDir(f)
		if err != nil || rel(got) != tc.py {
			t.Errorf("PythonDir(%s) = %s, %v; want %s", tc.file, got, err, tc.py)
		}
		if got := l.ServiceName(f); got != tc.svc {
			t.Errorf("ServiceName(%s) = %s, want %s", tc.file, got, tc.svc)
		}
	}
	if _, err := l.PythonDir(filepath.Join(dir, "pkgcopy/src/main.py")); err == nil {
		t.Errorf("PythonDir placed a helper for a service run from outside what its Dockerfile copies")
	}
	for _, tc := range []struct{ file, js string }{
		{"web/src/index.js", "web/src"},
		{"web2/lib/a/b.js", "web2"},
		{"scripts/tool.js", "scripts"},
	} {
		if got := rel(l.JSDir(filepath.Join(dir, tc.file))); got != tc.js {
			t.Errorf("JSDir(%s) = %s, want %s", tc.file, got, tc.js)
		}
	}
	g := l.Go(filepath.Join(dir, "gosvc/cmd/a/main.go"), "main")
	if g.SamePackage || g.ImportPath != "example.com/gosvc/internal/leakfixsecrets" || rel(g.Dir) != "gosvc/internal/leakfixsecrets" {
		t.Errorf("Go in a module: %+v", g)
	}
	g = l.Go(filepath.Join(dir, "godir/main.go"), "main")
	if !g.SamePackage || g.Package != "main" || rel(g.Dir) != "godir" {
		t.Errorf("Go outside a module: %+v", g)
	}
}
