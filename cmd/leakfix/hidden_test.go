package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/leakfix/leakfix/scanner"
	at "github.com/leakfix/leakfix/scanner/archive/archivetest"
	"github.com/leakfix/leakfix/scanner/scantest"
)

func noStoredForm(t *testing.T, what, out string) {
	t.Helper()
	for _, form := range scantest.StoredForms() {
		if strings.Contains(out, form) {
			t.Errorf("%s holds a stored form of the token", what)
		}
	}
}

// TestScanHiddenFormats: every case found by `leakfix scan` in text, JSON
// and SARIF, with the archive path and decode chain, nothing leaked, and
// the SARIF valid with the archive itself as the location.
func TestScanHiddenFormats(t *testing.T) {
	dir := t.TempDir()
	cases := scantest.WriteTree(t, dir)

	code, text, stderr := runCLI(t, "", "scan", dir, "--no-color")
	if code != 1 {
		t.Fatalf("text: exit %d, want 1\n%s", code, stderr)
	}
	for _, want := range []string{"release.zip!lib/app.jar!application.properties:2:14", "decoded from base64 > percent", "logs/callback.log:2:50"} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	noStoredForm(t, "the text report", text+stderr)

	code, js, stderr := runCLI(t, "", "scan", dir, "--format", "json")
	if code != 1 {
		t.Fatalf("json: exit %d\n%s", code, stderr)
	}
	noStoredForm(t, "the JSON report", js+stderr)
	var fs []scanner.Finding
	if err := json.Unmarshal([]byte(js), &fs); err != nil {
		t.Fatal(err)
	}
	got := map[string]scanner.Finding{}
	for _, f := range fs {
		got[f.File] = f
	}
	for _, c := range cases {
		f, ok := got[c.File]
		if !ok || f.Encoding != c.Encoding || f.StartLine != c.Line || f.StartColumn != c.Column {
			t.Errorf("%s: JSON finding %+v, want %s %q %d:%d", c.Name, f, c.File, c.Encoding, c.Line, c.Column)
		}
		if strings.Contains(c.File, "!") != (f.Container != "") {
			t.Errorf("%s: container %q", c.Name, f.Container)
		}
	}

	code, sf, stderr := runCLI(t, "", "scan", dir, "--format", "sarif")
	if code != 1 {
		t.Fatalf("sarif: exit %d\n%s", code, stderr)
	}
	noStoredForm(t, "the SARIF report", sf)
	sch, err := jsonschema.NewCompiler().Compile(filepath.Join("..", "..", "testdata", "schemas", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(sf)))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}
	var sd struct {
		Runs []struct {
			Results []struct {
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
				Properties map[string]any
			}
		}
	}
	json.Unmarshal([]byte(sf), &sd)
	var jarSeen bool
	for _, r := range sd.Runs[0].Results {
		pl := r.Locations[0].PhysicalLocation
		if strings.Contains(pl.ArtifactLocation.URI, "!") {
			t.Errorf("SARIF location %q names an archive entry, not a file GitHub has", pl.ArtifactLocation.URI)
		}
		if r.Properties["archive_entry"] == "release.zip!lib/app.jar!application.properties" {
			jarSeen = true
			if pl.ArtifactLocation.URI != "release.zip" || pl.Region.StartLine != 1 || !strings.Contains(r.Message.Text, "release.zip!lib/app.jar!application.properties line 2") {
				t.Errorf("jar-in-zip result: %+v", r)
			}
		}
	}
	if !jarSeen {
		t.Error("no SARIF result for the jar in the zip")
	}
}

// TestScanBombs: hostile archives end with exit 2 and the limit named on
// stderr (even with --quiet), and the rest of the tree is still reported.
func TestScanBombs(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x.env"), []byte("GITHUB_TOKEN="+scantest.Token+"\n"), 0o600)
	f, err := os.Create(filepath.Join(dir, "zeros.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if err := at.ZerosGzip(f, 9537<<20); err != nil { // 10 GB of zeros, ~10 MB stored
		t.Fatal(err)
	}
	f.Close()
	// Nested zips, each level 16 copies of the one below.
	level := at.Zip(t, at.File{Name: "zeros.txt", Body: strings.Repeat("\x00", 32<<20)})
	for i := 0; i < 2; i++ {
		var files []at.File
		for j := 0; j < 16; j++ {
			files = append(files, at.File{Name: string(rune('a'+j)) + ".zip", Body: string(level)})
		}
		level = at.Zip(t, files...)
	}
	os.WriteFile(filepath.Join(dir, "nested.zip"), level, 0o600)
	deep := at.Zip(t, at.File{Name: "s.env", Body: "GITHUB_TOKEN=" + scantest.Token + "\n"})
	for i := 0; i < 6; i++ {
		deep = at.Zip(t, at.File{Name: "d.zip", Body: string(deep)})
	}
	os.WriteFile(filepath.Join(dir, "deep.zip"), deep, 0o600)

	code, out, stderr := runCLI(t, "", "scan", dir, "--quiet", "--format", "json")
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, stderr)
	}
	for _, want := range []string{"zeros.gz: archive ratio limit (100)", "nested.zip!a.zip!a.zip!zeros.txt: archive ratio limit", "deep.zip!d.zip!d.zip!d.zip!d.zip: archive depth limit (4)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(out, `"file": "x.env"`) {
		t.Errorf("the plain finding is missing from the report:\n%s", out)
	}
	// --max-archive-depth 8 opens the deep one and finds its secret.
	_, out, _ = runCLI(t, "", "scan", dir, "--quiet", "--format", "json", "--max-archive-depth", "8")
	if !strings.Contains(out, "deep.zip!d.zip!d.zip!d.zip!d.zip!d.zip!d.zip!s.env") {
		t.Errorf("--max-archive-depth 8 did not reach the secret 7 levels down:\n%s", out)
	}
}

// TestFixLeavesHidden: fix rewrites nothing inside archives or encodings,
// says why per finding, and exits 0 for them.
func TestFixLeavesHidden(t *testing.T) {
	dir := t.TempDir()
	cases := scantest.WriteTree(t, dir)
	code, _, stderr := runCLI(t, "", "fix", dir, "--write")
	noStoredForm(t, "fix's stderr", stderr)
	for _, c := range cases {
		data, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(c.Path)))
		plainCase := c.Encoding == "" && !strings.Contains(c.File, "!")
		if !plainCase && !bytes.Equal(data, c.Data) {
			t.Errorf("%s: fix changed %s", c.Name, c.Path)
		}
		if !plainCase && !strings.Contains(stderr, "left in place: "+c.File+":") {
			t.Errorf("%s: no left-in-place line for %s:\n%s", c.Name, c.File, stderr)
		}
	}
	if strings.Contains(stderr, "inside the archive secrets.zip: rebuild") == false ||
		!strings.Contains(stderr, "stored encoded (base64 > percent)") {
		t.Errorf("reasons missing:\n%s", stderr)
	}
	_ = code // the plain neighbours (ci.log, msg.json) are fix's usual business
}

// An archive on stdin is opened too; a bomb there still gets its report
// and exit 2.
func TestScanStdinArchive(t *testing.T) {
	zip := at.Zip(t, at.File{Name: "app.env", Body: "GITHUB_TOKEN=" + scantest.Token + "\n"})
	code, out, stderr := runCLI(t, string(zip), "scan", "-", "--format", "json")
	if code != 1 || !strings.Contains(out, `"file": "stdin!app.env"`) {
		t.Fatalf("exit %d, report %s\n%s", code, out, stderr)
	}
	bomb := at.Zip(t, at.File{Name: "app.env", Body: "GITHUB_TOKEN=" + scantest.Token + "\n"}, at.File{Name: "zeros", Body: strings.Repeat("\x00", 8<<20)})
	code, out, stderr = runCLI(t, string(bomb), "scan", "-", "--format", "json")
	if code != 2 || !strings.Contains(out, `"file": "stdin!app.env"`) || !strings.Contains(stderr, "stdin!zeros: archive ratio limit") {
		t.Fatalf("bomb: exit %d, report %s\n%s", code, out, stderr)
	}
	noStoredForm(t, "stdin output", out+stderr)
}

// scan --staged: archives in the index are opened; a bomb is named, the
// report still written, exit 2.
func TestScanStagedArchives(t *testing.T) {
	purgeRequireTool(t, "git")
	repo := t.TempDir()
	purgeGit(t, repo, "init", "-q", "-b", "main")
	purgeCommit(t, repo, map[string]string{"README.md": "x\n"}, "init")
	zip := at.Zip(t, at.File{Name: "conf/app.env", Body: "GITHUB_TOKEN=" + scantest.Token + "\n"})
	bomb := at.Zip(t, at.File{Name: "zeros", Body: strings.Repeat("\x00", 8<<20)})
	os.WriteFile(filepath.Join(repo, "dist.zip"), zip, 0o644)
	purgeGit(t, repo, "add", "dist.zip")
	code, out, stderr := runCLI(t, "", "scan", "--staged", repo, "--format", "json")
	if code != 1 || !strings.Contains(out, `"file": "dist.zip!conf/app.env"`) {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	os.WriteFile(filepath.Join(repo, "bomb.zip"), bomb, 0o644)
	purgeGit(t, repo, "add", "bomb.zip")
	code, out, stderr = runCLI(t, "", "scan", "--staged", repo, "--format", "json")
	if code != 2 || !strings.Contains(out, `"file": "dist.zip!conf/app.env"`) || !strings.Contains(stderr, "bomb.zip!zeros: archive ratio limit") {
		t.Fatalf("bomb: exit %d\n%s\n%s", code, out, stderr)
	}
	noStoredForm(t, "staged output", out+stderr)
}
