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

// TestTagMessagesInRange: with --range A..B only B's tag is in range; a
// tag named with --branch is.
func TestTagMessagesInRange(t *testing.T) {
	r := newTestRepo(t)
	r.commit("first", map[string]string{"a.txt": "hello\n"})
	r.git("tag", "-a", "old", "-m", "old release "+groqMessage)
	r.commit("second", map[string]string{"a.txt": "hello again\n"})
	r.git("tag", "-a", "new", "-m", "new release")
	fs, _, err := Scan(context.Background(), r.dir, testDetector(t), Options{Range: "old..new"})
	if err != nil || len(fs) != 0 {
		t.Errorf("old..new: %v, findings %s", err, describe(fs))
	}
	fs, _, err = Scan(context.Background(), r.dir, testDetector(t), Options{Branches: []string{"old"}})
	if err != nil || len(fs) != 1 || !strings.HasPrefix(fs[0].Message, "tag old:") {
		t.Errorf("--branch old: %v, findings %s (want the old tag's)", err, describe(fs))
	}
}
