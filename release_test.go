package leakfix_test

// Structural checks of the release and install files. Docker and
// goreleaser do not run here (no docker engine; goreleaser is not
// installable from the module proxy), so the tests read the files and
// check what a broken build would get wrong: stages, the non-root user,
// the version stamp, the build matrix, that every path they name exists.

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type dockerInstr struct {
	cmd, args string
	line      int
}

// parseDockerfile splits a Dockerfile into instructions, joining
// backslash-continued lines and dropping comments.
func parseDockerfile(t *testing.T, path string) []dockerInstr {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []dockerInstr
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if s, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, dockerInstr{strings.ToUpper(cmd), strings.TrimSpace(args), start})
		cur.Reset()
	}
	if cur.Len() > 0 {
		t.Fatalf("%s ends in a continued line", path)
	}
	return out
}

func TestDockerfile(t *testing.T) {
	instrs := parseDockerfile(t, "Dockerfile")
	known := []string{"FROM", "RUN", "COPY", "ARG", "ENV", "WORKDIR", "USER", "ENTRYPOINT", "CMD", "LABEL"}
	var stages [][]dockerInstr
	for _, in := range instrs {
		if !slices.Contains(known, in.cmd) {
			t.Errorf("Dockerfile:%d: unexpected instruction %s", in.line, in.cmd)
		}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
	}
	if len(stages) != 2 {
		t.Fatalf("want a build stage and a runtime stage, got %d stages", len(stages))
	}
	gomod, _ := os.ReadFile("go.mod")
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	build, final := stages[0], stages[1]
	text := func(stage []dockerInstr, cmd string) string {
		var parts []string
		for _, in := range stage {
			if in.cmd == cmd {
				parts = append(parts, in.args)
			}
		}
		return strings.Join(parts, "\n")
	}
	if !strings.Contains(build[0].args, "golang:") || !strings.Contains(build[0].args, " AS build") {
		t.Errorf("build stage FROM %q", build[0].args)
	}
	if goVer == nil || !strings.Contains(text(instrs, "ARG"), "GO_VERSION="+string(goVer[1])) {
		t.Errorf("GO_VERSION does not match go.mod's go %s", goVer[1])
	}
	run := text(build, "RUN")
	for _, want := range []string{"CGO_ENABLED=0", "-X main.version=${VERSION}", "./cmd/leakfix", "-trimpath"} {
		if !strings.Contains(run, want) {
			t.Errorf("build stage RUN lacks %q", want)
		}
	}
	if _, err := os.Stat("cmd/leakfix/main.go"); err != nil {
		t.Error(err)
	}
	user := text(final, "USER")
	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("runtime stage runs as %q, want a non-root user", user)
	}
	if !strings.Contains(text(final, "RUN"), "git") {
		t.Error("runtime stage does not install git (history and --staged need it)")
	}
	if !strings.Contains(text(final, "COPY"), "--from=build") {
		t.Error("runtime stage does not copy the binary from the build stage")
	}
	if ep := text(final, "ENTRYPOINT"); !strings.HasPrefix(ep, "[") || !strings.Contains(ep, "leakfix") {
		t.Errorf("ENTRYPOINT %q: want exec form running leakfix", ep)
	}
	// The runtime stage must not carry the toolchain or sources.
	for _, in := range final {
		if in.cmd == "COPY" && !strings.Contains(in.args, "--from=") {
			t.Errorf("Dockerfile:%d: runtime stage copies from the context: %s", in.line, in.args)
		}
	}
}

func TestGoreleaserConfig(t *testing.T) {
	data, err := os.ReadFile(".goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Main    string   `yaml:"main"`
			Binary  string   `yaml:"binary"`
			Env     []string `yaml:"env"`
			Goos    []string `yaml:"goos"`
			Goarch  []string `yaml:"goarch"`
			Ldflags []string `yaml:"ldflags"`
		} `yaml:"builds"`
		Archives []struct {
			Formats         []string `yaml:"formats"`
			FormatOverrides []struct {
				Goos    string   `yaml:"goos"`
				Formats []string `yaml:"formats"`
			} `yaml:"format_overrides"`
			Files []string `yaml:"files"`
		} `yaml:"archives"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
			Algorithm    string `yaml:"algorithm"`
		} `yaml:"checksum"`
	}
	var loose map[string]any
	if err := yaml.Unmarshal(data, &loose); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Version != 2 || len(cfg.Builds) != 1 {
		t.Fatalf("want goreleaser config version 2 with one build, got version %d, %d builds", cfg.Version, len(cfg.Builds))
	}
	b := cfg.Builds[0]
	if _, err := os.Stat(b.Main); err != nil {
		t.Errorf("build main %q: %v", b.Main, err)
	}
	slices.Sort(b.Goos)
	slices.Sort(b.Goarch)
	if !slices.Equal(b.Goos, []string{"darwin", "linux", "windows"}) || !slices.Equal(b.Goarch, []string{"amd64", "arm64"}) {
		t.Errorf("matrix %v × %v", b.Goos, b.Goarch)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") || len(b.Ldflags) == 0 || !strings.Contains(b.Ldflags[0], "-X main.version={{ .Version }}") {
		t.Errorf("env %v ldflags %v: want static builds stamped with the version", b.Env, b.Ldflags)
	}
	if len(cfg.Archives) != 1 || len(cfg.Archives[0].FormatOverrides) != 1 || cfg.Archives[0].FormatOverrides[0].Goos != "windows" {
		t.Errorf("archives %+v: want tar.gz, zip for windows", cfg.Archives)
	}
	for _, f := range cfg.Archives[0].Files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("archive file %q: %v", f, err)
		}
	}
	if cfg.Checksum.NameTemplate == "" || cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum %+v", cfg.Checksum)
	}
	// The version variable the ldflags stamp must exist.
	main, _ := os.ReadFile("cmd/leakfix/main.go")
	if !regexp.MustCompile(`(?m)^var version = `).Match(main) {
		t.Error("cmd/leakfix has no `var version` for -X main.version")
	}
}

func TestPreCommitHooksFile(t *testing.T) {
	data, err := os.ReadFile(".pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string `yaml:"id"`
		Entry         string `yaml:"entry"`
		Language      string `yaml:"language"`
		PassFilenames *bool  `yaml:"pass_filenames"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"leakfix": "golang", "leakfix-system": "system", "leakfix-docker": "docker_image"}
	for _, h := range hooks {
		if want[h.ID] != h.Language {
			t.Errorf("hook %s: language %s, want %s", h.ID, h.Language, want[h.ID])
		}
		delete(want, h.ID)
		if h.PassFilenames == nil || !*h.PassFilenames || !strings.Contains(h.Entry, "scan --staged") {
			t.Errorf("hook %s: want `scan --staged` with pass_filenames (so --all-files scans files)", h.ID)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing hooks %v", want)
	}
}
