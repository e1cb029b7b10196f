package scantest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Keystore is a real binary credential file the test built, by path.
type Keystore struct {
	Path string // where the scan should find it, e.g. "deploy/client.p12"
	Rule string // the path-only rule that names it
	Data []byte
}

// Keystores builds a PKCS#12 bundle with openssl and a JKS and a JCEKS
// keystore with keytool, and adds a file that only has the extension
// (random bytes, no magic). A missing program skips the test unless
// LEAKFIX_REQUIRE_TOOLS=1. The passwords are throwaway test values.
func Keystores(t testing.TB) (real []Keystore, fake Keystore) {
	t.Helper()
	openssl, keytool := requireTool(t, "openssl"), requireTool(t, "keytool")
	dir := t.TempDir()
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	run(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
		"-days", "1", "-subj", "/CN=leakfix-test")
	run(openssl, "pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem", "-out", "client.p12", "-passout", "pass:changeit-test")
	for _, typ := range []string{"JKS", "JCEKS"} {
		run(keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=leakfix-test",
			"-validity", "1", "-storetype", typ, "-keystore", "server."+typ, "-storepass", "changeit-test", "-keypass", "changeit-test")
	}
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	real = []Keystore{
		{Path: "deploy/certs/client.p12", Rule: "pkcs12-file", Data: read("client.p12")},
		{Path: "src/main/resources/server.jks", Rule: "java-keystore-file", Data: read("server.JKS")},
		{Path: "conf/server.jceks", Rule: "java-keystore-file", Data: read("server.JCEKS")},
	}
	// Binary (a NUL in it) but neither DER nor a keystore magic.
	fake = Keystore{Path: "assets/icon.pfx", Rule: "pkcs12-file", Data: []byte("GIF89a\x01\x00\x01\x00\x00\xff\x00,not a keystore")}
	return real, fake
}

func requireTool(t testing.TB, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		if os.Getenv("LEAKFIX_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (LEAKFIX_REQUIRE_TOOLS=1): %v", program, err)
		}
		t.Skipf("%s not installed: %v", program, err)
	}
	return p
}
