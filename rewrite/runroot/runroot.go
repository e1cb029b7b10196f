// Package runroot finds where a rewritten file's code runs from, so the
// lookup helper it now calls is written where the running program loads
// it, under a name no user package can shadow:
//
//   - Python: leakfix_secrets.py in the folder that is on sys.path when
//     the service runs — the host folder a Dockerfile copies onto its
//     WORKDIR (`COPY src/ .` → src), else a `src` folder of the service,
//     else the project folder (pyproject.toml, setup.py, setup.cfg,
//     requirements*.txt), else the folder above the file's package.
//   - JavaScript/TypeScript: leakfix-secrets.cjs beside the nearest
//     package.json (inside what the Dockerfile copies), else in the
//     copied folder, else beside the file.
//   - Go: <module>/internal/leakfixsecrets when a go.mod encloses the
//     file, else a file of the file's own package (leakfix_secrets.go).
//
// A service (the identity the vault plan grants names to) is the folder
// of the nearest Dockerfile, else of the nearest project file (go.mod,
// package.json, pyproject.toml, ...), else the Python run folder.
package runroot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Helper file names: named for leakfix so they cannot collide with (or be
// shadowed by) a user's own `utils` or `secrets`.
const (
	PythonModule   = "leakfix_secrets"
	PythonFile     = PythonModule + ".py"
	PythonImport   = "from " + PythonModule + " import get_secret"
	JSFile         = "leakfix-secrets.cjs"
	JSDeclFile     = "leakfix-secrets.d.cts"
	GoHelperDir    = "internal/leakfixsecrets"
	GoSamePkgFile  = "leakfix_secrets.go"
	GoHelperPkgDir = "leakfixsecrets"
)

// Locator answers placement questions for files below Top. It caches
// what it reads; it is not safe for concurrent use.
type Locator struct {
	// Top bounds every upward search: the repository root (the folder
	// holding .git) or, outside a repository, the fixed folder.
	Top    string
	docker map[string]*dockerfile // folder → parsed Dockerfile (nil: none)
}

// New returns a Locator for files under root (a folder or a file): Top is
// the enclosing repository's root when there is one, else root.
func New(root string) (*Locator, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		abs = filepath.Dir(abs)
	}
	top := abs
	for d := abs; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			top = d
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return &Locator{Top: top, docker: map[string]*dockerfile{}}, nil
}

// ancestors lists dir and its parents up to Top (inclusive), nearest
// first. A dir outside Top yields only dir.
func (l *Locator) ancestors(dir string) []string {
	var out []string
	for d := dir; ; {
		out = append(out, d)
		if d == l.Top || !within(l.Top, d) {
			return out
		}
		d = filepath.Dir(d)
	}
}

// within reports whether p is dir or below it.
func within(dir, p string) bool {
	if p == dir {
		return true
	}
	return strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// nearest returns the nearest ancestor of dir holding a file that match
// accepts, or "".
func (l *Locator) nearest(dir string, match func(dir string) bool) string {
	for _, d := range l.ancestors(dir) {
		if match(d) {
			return d
		}
	}
	return ""
}

func hasPythonProject(d string) bool {
	for _, n := range []string{"pyproject.toml", "setup.py", "setup.cfg", "requirements.txt"} {
		if exists(filepath.Join(d, n)) {
			return true
		}
	}
	m, _ := filepath.Glob(filepath.Join(d, "requirements*.txt"))
	return len(m) > 0
}

func hasFile(name string) func(string) bool {
	return func(d string) bool { return exists(filepath.Join(d, name)) }
}

// dockerRoot returns the host folder a Dockerfile above file copies onto
// the container's run folder, and whether file is inside it. ok is false
// when no Dockerfile copies file.
func (l *Locator) dockerRoot(file string) (run string, copied string, ok bool) {
	dd := l.nearest(filepath.Dir(file), hasFile("Dockerfile"))
	if dd == "" {
		return "", "", false
	}
	df := l.dockerfile(dd)
	if df == nil {
		return "", "", false
	}
	return df.locate(dd, l.Top, file)
}

func (l *Locator) dockerfile(dir string) *dockerfile {
	if df, ok := l.docker[dir]; ok {
		return df
	}
	df, err := parseDockerfile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		df = nil
	}
	l.docker[dir] = df
	return df
}

// PythonDir is the folder on sys.path when the service holding file runs:
// where leakfix_secrets.py goes. It is an error when a Dockerfile copies
// the file but runs the program from outside what it copies: no folder
// of the image's import path then comes from the repository.
func (l *Locator) PythonDir(file string) (string, error) {
	file = l.abs(file)
	if run, copied, ok := l.dockerRoot(file); ok {
		if run != "" && within(run, file) {
			return run, nil
		}
		if run == "" {
			return "", fmt.Errorf("its Dockerfile copies %s into the image but runs the program from outside that copy, so no folder on the import path comes from the repository; copy the folder onto the WORKDIR, or give --python-import a module you provide", l.rel(copied))
		}
	}
	return l.pythonDirNoDocker(file), nil
}

func (l *Locator) rel(p string) string {
	if r, err := filepath.Rel(l.Top, p); err == nil {
		return filepath.ToSlash(r)
	}
	return p
}

func (l *Locator) pythonDirNoDocker(file string) string {
	base := l.nearest(filepath.Dir(file), hasPythonProject)
	// A `src` folder between the file and its project (or the repository)
	// is the src layout: the service runs from it.
	for _, d := range l.ancestors(filepath.Dir(file)) {
		if base != "" && !within(base, d) {
			break
		}
		if filepath.Base(d) == "src" && !exists(filepath.Join(d, "__init__.py")) {
			return d
		}
	}
	if base != "" {
		return base
	}
	// Outside any project: the folder above the file's package.
	d := filepath.Dir(file)
	for exists(filepath.Join(d, "__init__.py")) && d != l.Top && within(l.Top, d) {
		d = filepath.Dir(d)
	}
	return d
}

// JSDir is the folder leakfix-secrets.cjs goes into for file.
func (l *Locator) JSDir(file string) string {
	file = l.abs(file)
	pj := l.nearest(filepath.Dir(file), hasFile("package.json"))
	if _, copied, ok := l.dockerRoot(file); ok {
		if pj != "" && within(copied, pj) {
			return pj
		}
		return copied
	}
	if pj != "" {
		return pj
	}
	return filepath.Dir(file)
}

// GoPlace says where a Go file's helper goes and how it is reached.
type GoPlace struct {
	// Dir is the folder the helper file is written into.
	Dir string
	// ImportPath is the helper package's import path; empty when
	// SamePackage.
	ImportPath string
	// SamePackage is set outside a module: the helper is a file of the
	// code's own package, Package.
	SamePackage bool
	Package     string
}

// Go returns where the helper of Go file goes. pkg is the package the
// file declares (used outside a module).
func (l *Locator) Go(file, pkg string) GoPlace {
	file = l.abs(file)
	if mod := l.nearest(filepath.Dir(file), hasFile("go.mod")); mod != "" {
		if mp := modulePath(filepath.Join(mod, "go.mod")); mp != "" {
			return GoPlace{Dir: filepath.Join(mod, filepath.FromSlash(GoHelperDir)), ImportPath: mp + "/" + GoHelperDir}
		}
	}
	return GoPlace{Dir: filepath.Dir(file), SamePackage: true, Package: pkg}
}

// Service returns the folder that stands for file's service: the nearest
// Dockerfile's, else the nearest project file's, else the Python run
// folder (for Python) or the file's folder.
func (l *Locator) Service(file string) string {
	file = l.abs(file)
	dir := filepath.Dir(file)
	if d := l.nearest(dir, hasFile("Dockerfile")); d != "" {
		return d
	}
	if d := l.nearest(dir, func(d string) bool {
		return hasPythonProject(d) || exists(filepath.Join(d, "go.mod")) || exists(filepath.Join(d, "package.json"))
	}); d != "" {
		return d
	}
	if strings.HasSuffix(file, ".py") {
		p, err := l.PythonDir(file)
		if err != nil {
			p = l.pythonDirNoDocker(file)
		}
		if filepath.Base(p) == "src" && filepath.Dir(p) != l.Top {
			return filepath.Dir(p)
		}
		return p
	}
	// A top-level folder of the repository is a service of its own.
	if rel, err := filepath.Rel(l.Top, dir); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		first, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		return filepath.Join(l.Top, first)
	}
	return dir
}

// ServiceName is Service as a slash path relative to Top ("." for Top).
func (l *Locator) ServiceName(file string) string {
	s := l.Service(file)
	rel, err := filepath.Rel(l.Top, s)
	if err != nil || strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(s)
	}
	return filepath.ToSlash(rel)
}

func (l *Locator) abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func modulePath(gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if rest, ok := strings.CutPrefix(line, "module"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t' || rest[0] == '"') {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// dockerfile is what placement needs from a Dockerfile: the COPY/ADD
// instructions of its last stage, each with the WORKDIR in force, and the
// final WORKDIR and the script CMD/ENTRYPOINT runs, if any.
type dockerfile struct {
	copies  []dcopy
	workdir string // container path, "/" when unset
	script  string // `python path/x.py` → "path/x.py"
}

type dcopy struct {
	srcs []string // relative to the build context (the Dockerfile's folder)
	dest string   // absolute container path
}

func parseDockerfile(p string) (*dockerfile, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	df := &dockerfile{workdir: "/"}
	var logical []string
	var cur strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") && cur.Len() == 0 {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		logical = append(logical, cur.String())
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, line := range logical {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		args := f[1:]
		switch strings.ToUpper(f[0]) {
		case "FROM":
			// A new stage: only the last one runs.
			df.copies, df.workdir, df.script = nil, "/", ""
		case "WORKDIR":
			if len(args) > 0 {
				df.workdir = containerPath(df.workdir, strings.Join(args, " "))
			}
		case "COPY", "ADD":
			var words []string
			from := false
			for _, a := range jsonOrFields(strings.Join(args, " ")) {
				if strings.HasPrefix(a, "--") {
					from = from || strings.HasPrefix(a, "--from")
					continue
				}
				words = append(words, a)
			}
			if from || len(words) < 2 {
				continue
			}
			df.copies = append(df.copies, dcopy{srcs: words[:len(words)-1], dest: containerPath(df.workdir, words[len(words)-1])})
		case "CMD", "ENTRYPOINT":
			words := jsonOrFields(strings.Join(args, " "))
			for i, w := range words {
				if strings.HasPrefix(path.Base(w), "python") && i+1 < len(words) && strings.HasSuffix(words[i+1], ".py") {
					df.script = words[i+1]
				}
			}
		}
	}
	return df, nil
}

func jsonOrFields(s string) []string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		var out []string
		if json.Unmarshal([]byte(s), &out) == nil {
			return out
		}
	}
	return strings.Fields(s)
}

func containerPath(workdir, p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Join(workdir, p)
}

// locate maps file into the image. The build context is the
// Dockerfile's folder, or the repository root (top) for sources that only
// exist there (`docker build -f services/x/Dockerfile .`). run is the host
// folder that becomes the folder the program runs from (the WORKDIR, or
// the CMD script's folder), "" when none does; copied is the host folder
// whose copy holds file.
func (df *dockerfile) locate(dockerDir, top, file string) (run, copied string, ok bool) {
	runDir := df.workdir
	if df.script != "" {
		runDir = containerPath(df.workdir, path.Dir(df.script))
	}
	for _, c := range df.copies {
		for _, s := range c.srcs {
			if strings.ContainsAny(s, "*?[") {
				continue // a glob: files, not a folder
			}
			host := filepath.Join(dockerDir, filepath.FromSlash(s))
			if !isDir(host) {
				host = filepath.Join(top, filepath.FromSlash(s))
			}
			if !isDir(host) || !within(host, file) {
				continue
			}
			copied = host
			// host's contents land in c.dest; the run folder maps back to
			// host/<runDir relative to dest> when it is inside the copy.
			if rel, err := relContainer(c.dest, runDir); err == nil {
				run = filepath.Join(host, filepath.FromSlash(rel))
			}
		}
	}
	if copied == "" {
		return "", "", false
	}
	return run, copied, true
}

var errOutside = errors.New("outside")

func relContainer(base, p string) (string, error) {
	if p == base {
		return ".", nil
	}
	if strings.HasPrefix(p, strings.TrimSuffix(base, "/")+"/") {
		return strings.TrimPrefix(p, strings.TrimSuffix(base, "/")+"/"), nil
	}
	return "", errOutside
}

// Identity turns a service path into the name of its identity, one every
// store (and Kubernetes) accepts:
// lowercase letters, digits and -, 6 to 30 characters, starting with a
// letter (GCP service account ids are the strictest).
func Identity(svc, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(svc) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	id := strings.Trim(b.String(), "-")
	if id == "" {
		id = fallback
	}
	if id[0] < 'a' || id[0] > 'z' {
		id = "svc-" + id
	}
	if len(id) > 30 {
		id = strings.TrimRight(id[:30], "-")
	}
	for len(id) < 6 {
		id += "-svc"
	}
	return id
}
