package pack

import (
	"strings"
	"testing"
)

func TestExpandFragments(t *testing.T) {
	src := "[[rules]]\nid = \"a\"\nregex = '''(?i:acme){{assign}}([a-f0-9]{32}){{end}}'''\nexamples = ['''x = \"{{assign}}\"''']\n"
	out, err := expandFragments("f.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	if !strings.Contains(got, "regex = '''(?i:acme)"+Fragments["assign"]+"([a-f0-9]{32})"+Fragments["end"]+"'''") {
		t.Errorf("regex line not expanded:\n%s", got)
	}
	if !strings.Contains(got, `examples = ['''x = "{{assign}}"''']`) {
		t.Errorf("example line changed; only regex lines are expanded:\n%s", got)
	}
}

func TestExpandUnknownFragment(t *testing.T) {
	_, err := expandFragments("f.toml", []byte("id = \"a\"\n\nregex = '''{{nope}}x'''\n"))
	if err == nil || !strings.Contains(err.Error(), "f.toml:3: unknown regex fragment {{nope}}") {
		t.Fatalf("err = %v", err)
	}
}
