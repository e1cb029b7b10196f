// Command leakfix-vet runs leakfix's Go analyzer as a vet tool, reporting
// hardcoded secrets with fixes that move them to a vault:
//
//	go vet -vettool=$(which leakfix-vet) ./...
//	leakfix-vet -fix ./...              # apply the fixes
//	leakfix-vet -leakfix.config=rules.toml -leakfix.import=example.com/app/internal/secrets ./...
//
// Write the helper package the fixes import with `leakfix fix --emit-helper`.
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/leakfix/leakfix/rewrite/goanalyzer"
)

func main() { singlechecker.Main(goanalyzer.Analyzer) }
