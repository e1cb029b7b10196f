// Package scantest holds the hidden-secret cases shared by the tree,
// history and CLI tests: each is a file, built by the test, holding one
// GitHub token inside an archive or behind encodings.
package scantest

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	at "github.com/leakfix/leakfix/scanner/archive/archivetest"
)

// Token is a GitHub classic PAT in the documented shape (ghp_ and 36
// alphanumerics), made up for these tests.
const Token = "ghp_Zt4mQ8rW2xK7pN1vB5cL9dF3hJ6gS0aY2eU8"

// Case is one file and where the token must be reported.
type Case struct {
	Name     string // what it shows
	Path     string // the file to write
	Data     []byte
	File     string // Finding.File expected
	Encoding string // Finding.Encoding expected
	Line     int
	Column   int // start column of the reported span
}

// percentAll percent-encodes every byte.
func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// unicodeEscapes writes the first n characters as \u00XX escapes.
func unicodeEscapes(s string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `\u%04x`, s[i])
	}
	return b.String() + s[n:]
}

// Cases builds the cases: the seven of issue 15 (zip, tar.gz, jar in zip,
// percent-encoded URL query, hex, \u escapes, base64 of percent-encoded),
// and a few neighbours (plain token after %3A and after an escape's
// letter, \x escapes, xz, bzip2-free single .gz, a Kubernetes Secret).
func Cases(t testing.TB) []Case {
	jar := at.Zip(t, at.File{Name: "META-INF/MANIFEST.MF", Body: "Manifest-Version: 1.0\n"},
		at.File{Name: "application.properties", Body: "server.port=8080\ngithub.token=" + Token + "\n"})
	pctURL := "https://hooks.example.com/cb?state=xyz&token=" + percentAll(Token) + "&next=%2Fhome\n"
	b64 := base64.StdEncoding.EncodeToString([]byte("https://api.example.com/login?access_token=" + strings.Replace(Token, "_", "%5F", 1)))
	return []Case{
		{Name: "zip", Path: "secrets.zip", Data: at.Zip(t, at.File{Name: "config/app.env", Body: "# ci\nGITHUB_TOKEN=" + Token + "\n"}),
			File: "secrets.zip!config/app.env", Line: 2, Column: 14},
		{Name: "tar.gz", Path: "dist/bundle.tar.gz", Data: at.Gzip(t, at.Tar(t, at.File{Name: "deploy/run.sh", Body: "#!/bin/sh\n\ngit clone https://x:" + Token + "@github.com/acme/infra.git\n"})),
			File: "dist/bundle.tar.gz!deploy/run.sh", Line: 3, Column: 21},
		{Name: "jar in zip", Path: "release.zip", Data: at.Zip(t, at.File{Name: "README.txt", Body: "release\n"}, at.File{Name: "lib/app.jar", Body: string(jar)}),
			File: "release.zip!lib/app.jar!application.properties", Line: 2, Column: 14},
		{Name: "percent-encoded URL query", Path: "logs/callback.log", Data: []byte("INFO start\nGET " + pctURL),
			File: "logs/callback.log", Encoding: "percent", Line: 2, Column: 50},
		{Name: "hex", Path: "payload.txt", Data: []byte("payload = " + hex.EncodeToString([]byte(Token)) + "\n"),
			File: "payload.txt", Encoding: "hex", Line: 1, Column: 11},
		{Name: "unicode escapes", Path: "settings.json", Data: []byte(`{"auth": {"token": "` + unicodeEscapes(Token, 4) + `"}}` + "\n"),
			File: "settings.json", Encoding: "escape", Line: 1, Column: 21},
		{Name: "base64 of percent-encoded", Path: "redirect.txt", Data: []byte("redirect_b64: " + b64 + "\n"),
			File: "redirect.txt", Encoding: "base64 > percent", Line: 1, Column: 15},
		// Neighbours.
		{Name: "plain after %3A", Path: "ci.log", Data: []byte("curl https://api.example.com/?auth=bot%3A" + Token + "&x=1\n"),
			File: "ci.log", Line: 1, Column: 42},
		{Name: "plain after an escape's letter", Path: "msg.json", Data: []byte(`{"text": "line one\n` + Token + `"}` + "\n"),
			File: "msg.json", Line: 1, Column: 21},
		{Name: "x escapes", Path: "gen.py", Data: []byte("TOKEN = \"\\x67\\x68\\x70\\x5f" + Token[4:] + "\"\n"),
			File: "gen.py", Encoding: "escape", Line: 1, Column: 10},
		{Name: "tar.xz", Path: "backup.tar.xz", Data: at.XZ(t, at.Tar(t, at.File{Name: "home/.netrc.bak", Body: "GITHUB_TOKEN=" + Token + "\n"})),
			File: "backup.tar.xz!home/.netrc.bak", Line: 1, Column: 14},
		{Name: "single gz", Path: "app.log.gz", Data: at.Gzip(t, []byte("boot\ntoken "+Token+" used\n")),
			File: "app.log.gz!app.log", Line: 2, Column: 7},
		{Name: "kubernetes secret", Path: "k8s/secret.yaml", Data: []byte("apiVersion: v1\nkind: Secret\nmetadata:\n  name: gh\ntype: Opaque\ndata:\n  token: " +
			base64.StdEncoding.EncodeToString([]byte(Token)) + "\n"),
			File: "k8s/secret.yaml", Encoding: "base64", Line: 7, Column: 10},
	}
}

// StoredForms are the ways Cases store the token: no output may hold any
// of them (the token's body covers the plain, escaped and partly
// percent-encoded forms).
func StoredForms() []string {
	return []string{Token[4:], hex.EncodeToString([]byte(Token)), percentAll(Token)[12:],
		base64.StdEncoding.EncodeToString([]byte(Token))}
}

// WriteTree writes the cases under dir.
func WriteTree(t testing.TB, dir string) []Case {
	t.Helper()
	cases := Cases(t)
	for _, c := range cases {
		p := filepath.Join(dir, filepath.FromSlash(c.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, c.Data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return cases
}
