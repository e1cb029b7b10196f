// Package goanalyzer moves hardcoded secrets out of Go source. It holds a
// go/analysis Analyzer (shipped as cmd/leakfix-vet for
// `go vet -vettool=$(which leakfix-vet) ./...`) whose suggested fixes
// replace each secret literal with a call to a small helper package,
// `secrets.Get("vault-name")`, and Rewrite, which applies the same edits
// for `leakfix fix` without the analysis driver.
//
// What the fixes do, and why:
//
//   - A literal that is exactly the secret becomes the call. A secret
//     inside a larger literal (`"Bearer gsk_…"`, a URL with a password)
//     rewrites the whole literal as `"Bearer " + secrets.Get("name")`:
//     the program sees the same string and the vault holds exactly the
//     value the scanner found, the one `leakfix plan` uploads.
//   - `const k = "…"` becomes `var k = secrets.Get("…")`, because a call
//     cannot initialise a constant — only when nothing needs k to be a
//     constant (another constant, an array length, an implicit conversion
//     to a named type, an exported constant other packages could use);
//     otherwise the report comes without a fix and says why.
//   - A weak default (`getEnv("JWT_SECRET", "dev")`,
//     `cmp.Or(os.Getenv("JWT_SECRET"), "dev")`) becomes
//     `secrets.MustEnv("JWT_SECRET")`, which panics when the setting is
//     missing: the fallback is removed, not vaulted.
//   - A secret in a comment is replaced by `<redacted: name>`.
//   - Struct tags and import paths must be constants: reported, not fixed.
//   - The helper is imported once per file, into the existing import
//     block, or by turning a single import into a block, or after the
//     package clause; under another name (`leakfixsecrets`) when the file
//     already uses `secrets` for something else.
//
// Names: the analyzer sees one package at a time, so it assigns vault
// names per package (one value, one name, within the package); two
// packages holding the same key may name it differently. `leakfix fix`
// assigns names over the whole tree and passes them to Rewrite.
//
// Diagnostics name the rule and the vault name, never the value.
package goanalyzer
