package history

import (
	"context"
	"strings"
	"testing"
)

// TestAnnotatedTagMessages: a secret in an annotated tag's message is
// found, attributed to the tag (its summary names the tag, its commit is
// the tagged one), with both readers; a lightweight tag has no message.
func TestAnnotatedTagMessages(t *testing.T) {
	r := newTestRepo(t)
	c := r.commit("first", map[string]string{"a.txt": "hello\n"})
	r.git("tag", "-a", "v1.0", "-m", "release v1.0\n\ndeploy token "+groqMessage+"\n")
	r.git("tag", "light")
	for _, reader := range []string{ReaderGit, ReaderGoGit} {
		fs, _, err := Scan(context.Background(), r.dir, testDetector(t), Options{Reader: reader})
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 {
			t.Fatalf("%s: %d findings, want the tag message's one: %s", reader, len(fs), describe(fs))
		}
		f := fs[0]
		if !f.InMessage || f.Commit != c || !strings.HasPrefix(f.Message, "tag v1.0: release v1.0") || f.Secret != groqMessage || f.StartLine != 3 {
			t.Errorf("%s: finding %+v", reader, f)
		}
	}
}
