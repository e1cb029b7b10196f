// Command genrepo writes a `git fast-import` stream of a synthetic project
// history for the history benchmark: thousands of commits that each edit a
// few files of code-shaped text, feature branches merged back, tags
// (lightweight and annotated), an unmerged branch, files added, renamed and
// deleted, and a few secrets that come and go.
//
//	go run ./bench/genrepo -commits 10000 -mb 220 | git -C repo fast-import
//
// The shape follows real projects: most distinct blob bytes are new
// versions of existing files (a file edited a few lines at a time), which
// is what makes distinct content far larger than the lines commits add.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"os"
	"strings"
)

func main() {
	commits := flag.Int("commits", 10000, "number of commits on the main line and branches")
	mb := flag.Int("mb", 220, "approximate MB of distinct blob content")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	g := &gen{r: rand.New(rand.NewSource(*seed)), w: w, files: map[string][]string{}, marks: map[string]int{}}
	if err := g.run(*commits, int64(*mb)*1_000_000); err != nil {
		log.Fatalf("genrepo: %v", err)
	}
	if err := w.Flush(); err != nil {
		log.Fatalf("genrepo: %v", err)
	}
	fmt.Fprintf(os.Stderr, "genrepo: %d commits, %.1f MB of blobs, %d secrets planted\n", g.nCommits, float64(g.blobBytes)/1e6, g.secrets)
}

type gen struct {
	r         *rand.Rand
	w         *bufio.Writer
	files     map[string][]string // path → lines, on the branch being built
	marks     map[string]int      // path → blob mark of its current version
	paths     []string
	mark      int
	nCommits  int
	blobBytes int64
	secrets   int
	time      int64
}

// words are ordinary identifiers; keywordWords are the ones secret rules
// key on. Real code has a rule keyword on about 3% of its lines (measured
// on the Go module cache: 2.8%), so keywordLine is used at that rate.
var words = []string{"user", "count", "items", "result", "handler", "config", "request", "response",
	"buffer", "index", "value", "name", "path", "client", "server", "session", "cache", "logger",
	"data", "parse", "render", "update", "delete", "stream", "retry", "limit", "offset", "query",
	"schema", "field", "record", "batch", "queue", "width", "height", "node", "tree", "list"}

var keywordWords = []string{"token", "key", "secret", "password", "auth", "api"}

var exts = []string{".py", ".go", ".js", ".ts", ".yaml", ".c", ".h", ".md", ".java", ".rb"}

func (g *gen) line() string {
	r := g.r
	a, b := words[r.Intn(len(words))], words[r.Intn(len(words))]
	switch k := r.Intn(100); {
	case k < 3:
		// The shapes keyword lines take in real code: reading a setting,
		// passing a credential along, naming a field.
		kw := keywordWords[r.Intn(len(keywordWords))]
		switch r.Intn(6) {
		case 0:
			return fmt.Sprintf("    %s_%s = os.getenv(%q)", a, kw, strings.ToUpper(a+"_"+kw))
		case 1:
			return fmt.Sprintf("    %s%s := cfg.Get(%q)", a, capitalize(kw), a+"."+kw)
		case 2:
			return fmt.Sprintf("    client.set_%s(%s.%s)", kw, b, kw)
		case 3:
			return fmt.Sprintf("  %s_%s: ${%s_%s}", a, kw, strings.ToUpper(a), strings.ToUpper(kw))
		case 4:
			return fmt.Sprintf("// %s the %s before the %s expires", a, kw, b)
		default:
			return fmt.Sprintf("    if err := validate%s(%s); err != nil {", capitalize(kw), b)
		}
	case k < 15:
		return fmt.Sprintf("// %s: the %s of the %s is checked before %s", a, b, a, b)
	case k < 20:
		return ""
	default:
		return fmt.Sprintf("    %s%d := %s.%s(ctx, %d, %q)", a, r.Intn(99), b, a, r.Intn(1e6), b)
	}
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

const base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (g *gen) randString(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.Intn(len(alphabet))]
	}
	return string(b)
}

// secretLine is a line holding a credential in a format every rule pack
// knows (AWS access key id, GitHub token, Groq key).
func (g *gen) secretLine() string {
	g.secrets++
	switch g.r.Intn(3) {
	case 0:
		return fmt.Sprintf("AWS_ACCESS_KEY_ID = \"AKIA%s\"", g.randString(base32, 16))
	case 1:
		return fmt.Sprintf("github_token = \"ghp_%s\"", g.randString(alnum, 36))
	default:
		return fmt.Sprintf("groq_api_key = \"gsk_%s\"", g.randString(alnum, 52))
	}
}

func (g *gen) newFile(avgBytes int) []string {
	n := (avgBytes/2 + g.r.Intn(avgBytes)) / 45
	lines := make([]string, 0, n)
	for range n {
		lines = append(lines, g.line())
	}
	return lines
}

// edit changes a few lines of a file: replaces, inserts and deletes.
func (g *gen) edit(lines []string) []string {
	out := append([]string(nil), lines...)
	for range 1 + g.r.Intn(4) {
		if len(out) == 0 {
			out = append(out, g.line())
			continue
		}
		i := g.r.Intn(len(out))
		switch g.r.Intn(3) {
		case 0:
			out[i] = g.line()
		case 1:
			out = append(out[:i], append([]string{g.line()}, out[i:]...)...)
		default:
			out = append(out[:i], out[i+1:]...)
		}
	}
	return out
}

func (g *gen) blob(lines []string) int {
	content := strings.Join(lines, "\n") + "\n"
	g.mark++
	fmt.Fprintf(g.w, "blob\nmark :%d\ndata %d\n%s\n", g.mark, len(content), content)
	g.blobBytes += int64(len(content))
	return g.mark
}

type change struct {
	path   string
	mark   int  // blob mark, 0 for a deletion
	delete bool // delete path
}

// commit writes a commit on ref with the given parents (marks).
func (g *gen) commit(ref, msg string, parents []int, changes []change) int {
	g.time += 60 + int64(g.r.Intn(3600))
	g.mark++
	g.nCommits++
	author := []string{"Ada Lovelace <ada@example.com>", "Grace Hopper <grace@example.com>", "Linus Example <linus@example.com>"}[g.r.Intn(3)]
	fmt.Fprintf(g.w, "commit %s\nmark :%d\nauthor %s %d +0000\ncommitter %s %d +0000\ndata %d\n%s\n",
		ref, g.mark, author, g.time, author, g.time, len(msg), msg)
	for i, p := range parents {
		if i == 0 {
			fmt.Fprintf(g.w, "from :%d\n", p)
		} else {
			fmt.Fprintf(g.w, "merge :%d\n", p)
		}
	}
	for _, c := range changes {
		if c.delete {
			fmt.Fprintf(g.w, "D %s\n", c.path)
		} else {
			fmt.Fprintf(g.w, "M 100644 :%d %s\n", c.mark, c.path)
		}
	}
	fmt.Fprintln(g.w)
	return g.mark
}

// step makes one commit's worth of changes to g.files.
func (g *gen) step(avgFile int, secretEvery int) ([]change, string) {
	var changes []change
	touched := map[string]bool{}
	verb := "update"
	switch k := g.r.Intn(100); {
	case k < 3 || len(g.paths) < 50: // a new file
		p := fmt.Sprintf("src/pkg%02d/mod%d/file%05d%s", g.r.Intn(40), g.r.Intn(5), g.mark, exts[g.r.Intn(len(exts))])
		g.files[p] = g.newFile(avgFile)
		g.marks[p] = g.blob(g.files[p])
		g.paths = append(g.paths, p)
		changes = append(changes, change{path: p, mark: g.marks[p]})
		verb = "add"
	case k < 4: // a deletion
		i := g.r.Intn(len(g.paths))
		p := g.paths[i]
		delete(g.files, p)
		delete(g.marks, p)
		g.paths = append(g.paths[:i], g.paths[i+1:]...)
		changes = append(changes, change{path: p, delete: true})
		verb = "remove"
	case k < 5: // a rename
		i := g.r.Intn(len(g.paths))
		p := g.paths[i]
		np := strings.Replace(p, "/file", "/renamed", 1)
		if _, exists := g.files[np]; exists || np == p {
			break
		}
		g.files[np], g.marks[np] = g.files[p], g.marks[p]
		delete(g.files, p)
		delete(g.marks, p)
		g.paths[i] = np
		changes = append(changes, change{path: p, delete: true}, change{path: np, mark: g.marks[np]})
		verb = "rename"
	default: // edit one to three files
		for range 1 + g.r.Intn(2) {
			p := g.paths[g.r.Intn(len(g.paths))]
			if touched[p] {
				continue
			}
			touched[p] = true
			lines := g.edit(g.files[p])
			if g.r.Intn(secretEvery) == 0 {
				i := g.r.Intn(len(lines) + 1)
				lines = append(lines[:i], append([]string{g.secretLine()}, lines[i:]...)...)
			}
			g.files[p] = lines
			g.marks[p] = g.blob(lines)
			changes = append(changes, change{path: p, mark: g.marks[p]})
		}
	}
	w := words[g.r.Intn(len(words))]
	return changes, fmt.Sprintf("%s %s handling in %d places\n", verb, w, len(changes))
}

type state struct {
	files map[string][]string
	marks map[string]int
	paths []string
}

func (g *gen) snapshot() state {
	s := state{files: make(map[string][]string, len(g.files)), marks: make(map[string]int, len(g.marks)),
		paths: append([]string(nil), g.paths...)}
	for k, v := range g.files {
		s.files[k] = v
	}
	for k, v := range g.marks {
		s.marks[k] = v
	}
	return s
}

func (g *gen) run(commits int, totalBytes int64) error {
	g.time = 1_600_000_000
	// Pick the average file size so that about commits × 1.4 versions
	// make up the requested bytes.
	avgFile := int(totalBytes / int64(float64(commits)*1.4))
	head := 0
	for n := 0; n < commits; {
		if n > 0 && g.r.Intn(40) == 0 && commits-n > 30 {
			// A feature branch of a few commits, merged back (or, once,
			// left unmerged).
			saved := g.snapshot()
			base := head
			branch := fmt.Sprintf("refs/heads/feature-%d", n)
			tip := base
			k := 3 + g.r.Intn(8)
			for range k {
				changes, msg := g.step(avgFile, 50)
				tip = g.commit(branch, msg, []int{tip}, changes)
				n++
			}
			side := g.snapshot()
			g.files, g.marks, g.paths = saved.files, saved.marks, saved.paths
			if n > commits/2 && g.r.Intn(3) == 0 {
				continue // unmerged: stays on its branch only
			}
			// The merge takes the branch's versions of the files it changed.
			var changes []change
			for _, p := range side.paths {
				if m, ok := g.marks[p]; !ok || m != side.marks[p] {
					if !ok {
						g.paths = append(g.paths, p)
					}
					g.files[p], g.marks[p] = side.files[p], side.marks[p]
					changes = append(changes, change{path: p, mark: g.marks[p]})
				}
			}
			head = g.commit("refs/heads/main", "Merge "+strings.TrimPrefix(branch, "refs/heads/")+"\n", []int{head, tip}, changes)
			n++
			continue
		}
		changes, msg := g.step(avgFile, 400)
		var parents []int
		if head != 0 {
			parents = []int{head}
		}
		head = g.commit("refs/heads/main", msg, parents, changes)
		n++
		if n%1000 == 0 {
			fmt.Fprintf(g.w, "reset refs/tags/v%d.0\nfrom :%d\n\n", n/1000, head)
			fmt.Fprintf(g.w, "tag v%d.0-annotated\nfrom :%d\ntagger Ada Lovelace <ada@example.com> %d +0000\ndata 8\nrelease\n\n", n/1000, head, g.time)
		}
	}
	return nil
}
