// Command detection builds the labelled set for the recall / noise
// benchmark (bench/detection.sh) and scores a leakfix JSON report on it.
//
//	detection -gen DIR [-modcache PATH] [-neg-files N]
//	detection -score DIR -report FILE
//
// Positives: every rule's examples from the embedded pack (one file each,
// at the rule's exampleFile path), plus generated cases — the assignment
// forms of many languages and file types, connection strings in every
// common scheme and credential files — each with a fresh random password.
// Negatives: whole source files copied from the Go module cache; they are
// labelled "lines from real module source at known paths", not "lines
// without secrets" (a module's test key is still there), and findings on
// them are the noise figure, by rule.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

// Label is one file of the set.
type Label struct {
	Path   string `json:"path"`             // relative to the set's root
	Pos    bool   `json:"pos"`              // holds one secret
	Family string `json:"family,omitempty"` // provider or generated form class
	Rule   string `json:"rule,omitempty"`   // the rule an example belongs to
	Lines  int    `json:"lines,omitempty"`  // negatives: lines in the file
}

func main() {
	gen := flag.String("gen", "", "write the labelled set into `DIR`")
	modcache := flag.String("modcache", "", "Go module cache to draw negatives from")
	negFiles := flag.Int("neg-files", 400, "how many module-cache files to copy as negatives")
	score := flag.String("score", "", "score the set in `DIR`")
	report := flag.String("report", "", "leakfix JSON report of a scan of the set")
	seed := flag.Int64("seed", 11, "random seed")
	flag.Parse()
	var err error
	switch {
	case *gen != "":
		err = generate(*gen, *modcache, *negFiles, *seed)
	case *score != "" && *report != "":
		err = scoreSet(*score, *report)
	default:
		err = fmt.Errorf("want -gen DIR or -score DIR -report FILE")
	}
	if err != nil {
		log.Fatalf("detection: %v", err)
	}
}

func generate(dir, modcache string, negFiles int, seed int64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	var labels []Label
	write := func(l Label, text string) error {
		p := filepath.Join(dir, filepath.FromSlash(l.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(p), err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		labels = append(labels, l)
		return nil
	}
	cfg, err := rules.DefaultWithExamples()
	if err != nil {
		return err
	}
	for _, r := range cfg.Rules {
		file := r.ExampleFile
		if file == "" {
			file = "src/example"
		}
		fam := r.Provider
		if fam == "" {
			fam = r.ID
		}
		for i, ex := range r.Examples {
			l := Label{Path: fmt.Sprintf("pos/examples/%s/%d/%s", r.ID, i, file), Pos: true, Family: fam, Rule: r.ID}
			if err := write(l, ex+"\n"); err != nil {
				return err
			}
		}
	}
	rng := rand.New(rand.NewSource(seed))
	for i, c := range generatedCases(rng) {
		l := Label{Path: fmt.Sprintf("pos/generated/%03d/%s", i, c.file), Pos: true, Family: c.family}
		if err := write(l, c.text); err != nil {
			return err
		}
	}
	if modcache != "" {
		negs, err := copyNegatives(dir, modcache, negFiles)
		if err != nil {
			return err
		}
		labels = append(labels, negs...)
	}
	data, err := json.MarshalIndent(labels, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "labels.json"), data, 0o600)
}

// genCase is one generated positive.
type genCase struct{ family, file, text string }

// password returns a random password of 10-16 characters with upper,
// lower, a digit, and symbols that need no quoting in any form below.
func password(rng *rand.Rand) string {
	const lower, upper, digit, sym = "abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "!*-_."
	n := 10 + rng.Intn(7)
	b := []byte{lower[rng.Intn(len(lower))], upper[rng.Intn(len(upper))], digit[rng.Intn(len(digit))]}
	all := lower + upper + digit + lower + upper + digit + sym
	for len(b) < n {
		b = append(b, all[rng.Intn(len(all))])
	}
	rng.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
	if b[0] == '-' || b[0] == '.' || b[0] == '*' || b[0] == '!' {
		b[0] = 'Q'
	}
	return string(b)
}

// Password names in snake_case: abbreviations and foreign words too.
var pwNames = []string{"password", "db_password", "passwd", "pwd", "db_pass", "pw", "ldap_pwd", "pg_pass", "dbpasswd",
	"mot_de_passe", "contrasena", "kennwort", "smtp_password", "admin_passwd", "root_pw", "passphrase", "redis_pass", "wachtwoord"}

func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

// forms: family, file, template ({n} snake name, {c} camelCase, {N}
// UPPER_SNAKE, {d} dotted, {v} value, {b} base64 of user:value).
var forms = []struct{ family, file, tmpl string }{
	{"assign/python", "app/settings.py", "{n} = \"{v}\"\n"},
	{"assign/python-typed", "app/config.py", "{n}: str = '{v}'\n"},
	{"assign/python-dict", "app/db.py", "DATABASE = {\"{n}\": \"{v}\", \"host\": \"db\"}\n"},
	{"call/python-setdefault", "app/boot.py", "os.environ.setdefault(\"{N}\", \"{v}\")\n"},
	{"assign/go-short", "internal/db/conn.go", "\t{c} := \"{v}\"\n"},
	{"assign/go-var", "internal/db/vars.go", "var {c} string = \"{v}\"\n"},
	{"assign/go-struct", "internal/db/cfg.go", "cfg := Config{Host: \"db\", Password: \"{v}\"}\n"},
	{"compare/go", "internal/auth/check.go", "if {c} == \"{v}\" {\n\treturn true\n}\n"},
	{"assign/js", "src/db.js", "const {c} = '{v}';\n"},
	{"assign/ts-typed", "src/db.ts", "let {c}: string = \"{v}\";\n"},
	{"assign/js-object", "src/config.js", "module.exports = { host: 'db', {c}: '{v}' };\n"},
	{"assign/java", "src/main/java/acme/Db.java", "    private static final String {N} = \"{v}\";\n"},
	{"call/java-setproperty", "src/main/java/acme/Props.java", "    props.setProperty(\"{d}\", \"{v}\");\n"},
	{"call/java-put", "src/main/java/acme/Env.java", "    env.put(\"{d}\", \"{v}\");\n"},
	{"call/java-setter", "src/main/java/acme/Ds.java", "    ds.setPassword(\"{v}\");\n"},
	{"compare/java-equals", "src/main/java/acme/Auth.java", "    if ({c}.equals(\"{v}\")) {\n"},
	{"assign/kotlin", "src/main/kotlin/Db.kt", "val {c}: String = \"{v}\"\n"},
	{"assign/csharp", "src/Db.cs", "var {c} = \"{v}\";\n"},
	{"assign/php", "lib/db.php", "<?php\n${n} = '{v}';\n"},
	{"assign/php-concat", "lib/conn.php", "<?php\n${n} .= '{v}';\n"},
	{"call/php-define", "lib/consts.php", "<?php\ndefine('{N}', '{v}');\n"},
	{"assign/php-array", "lib/cfg.php", "<?php\nreturn ['host' => 'db', '{n}' => '{v}'];\n"},
	{"assign/c-array", "src/auth.c", "static char {n}[] = \"{v}\";\n"},
	{"assign/c-pointer", "src/auth.h", "const char *{n} = \"{v}\";\n"},
	{"assign/objc", "App/Keys.m", "NSString *{c} = @\"{v}\";\n"},
	{"assign/ruby", "config/db.rb", "{n} = '{v}'\n"},
	{"assign/ruby-hash", "config/mail.rb", "  :{n} => \"{v}\",\n"},
	{"assign/makefile-immediate", "Makefile", "{N} ::= {v}\n"},
	{"assign/makefile-conditional", "build/vars.mk", "{N} ?= {v}\n"},
	{"assign/makefile-append", "GNUmakefile", "{N} += {v}\n"},
	{"assign/shell-export", "scripts/deploy.sh", "export {N}='{v}'\n"},
	{"assign/shell", "scripts/run.sh", "{N}=\"{v}\"\n"},
	{"assign/dotenv", "deploy/.env", "{N}={v}\n"},
	{"assign/properties", "conf/app.properties", "{d}={v}\n"},
	{"assign/ini", "conf/app.ini", "[db]\n{n} = {v}\n"},
	{"assign/yaml", "deploy/values.yaml", "db:\n  {n}: {v}\n"},
	{"assign/yaml-quoted", "deploy/config.yml", "db:\n  {n}: \"{v}\"\n"},
	{"assign/json", "config/app.json", "{\"db\": {\"{n}\": \"{v}\"}}\n"},
	{"assign/json-in-json", "config/nested.json", "{\"settings\": \"{\\\"{n}\\\": \\\"{v}\\\"}\"}\n"},
	{"xml/element", "conf/server.xml", "<db>\n  <{n}>{v}</{n}>\n</db>\n"},
	{"xml/element-multiline", "conf/context.xml", "<db>\n  <{n}>\n    {v}\n  </{n}>\n</db>\n"},
	{"xml/attribute", "conf/ds.xml", "<datasource user=\"app\" {n}=\"{v}\" />\n"},
	{"xml/appsettings", "web.config", "<appSettings>\n  <add key=\"{c}\" value=\"{v}\" />\n</appSettings>\n"},
	{"cli/curl-user", "scripts/api.sh", "curl -u deploy:{v} https://api.acme.io/v1/jobs\n"},
	{"cli/basic-header", "scripts/hook.sh", "curl -H \"Authorization: Basic {b}\" https://api.acme.io/v1\n"},
	{"cli/password-flag", "scripts/migrate.sh", "./bin/migrate --{d}={v} --host db.acme.io\n"},
	{"cli/keytool", "scripts/keystore.sh", "keytool -list -keystore app.jks -storepass {v}\n"},
	{"connstr/jdbc-mysql", "conf/jdbc.properties", "url=jdbc:mysql://db.acme.io:3306/app?user=app&password={v}\n"},
	{"connstr/jdbc-sqlserver", "conf/mssql.properties", "url=jdbc:sqlserver://db.acme.io:1433;databaseName=app;user=sa;password={v}\n"},
	{"connstr/odbc", "conf/odbc.txt", "Driver={ODBC Driver 18 for SQL Server};Server=db.acme.io;Uid=app;Pwd={v};\n"},
	{"connstr/mongodb-srv", "conf/mongo.txt", "MONGO_URL=mongodb+srv://app:{v}@cluster0.acme.mongodb.net/app\n"},
	{"connstr/amqp", "conf/mq.txt", "broker: amqp://app:{v}@mq.acme.io:5672/\n"},
	{"connstr/redis", "conf/cache.txt", "cache: redis://:{v}@cache.acme.io:6379/0\n"},
	{"connstr/ldap", "conf/ldap.txt", "ldap://cn=admin:{v}@ldap.acme.io\n"},
	{"connstr/smtp", "conf/mail.txt", "MAIL_URL=smtp://mailer:{v}@smtp.acme.io:587\n"},
	{"connstr/ftp", "conf/ftp.txt", "ftp://upload:{v}@ftp.acme.io/in\n"},
	{"connstr/sftp", "conf/sftp.txt", "sftp://deploy:{v}@files.acme.io/\n"},
	{"connstr/postgres", "conf/pg.txt", "DATABASE_URL=postgres://app:{v}@db.acme.io:5432/app\n"},
	{"credfile/netrc", "home/.netrc", "machine api.acme.io\n  login deploy\n  password {v}\n"},
	{"credfile/pgpass", "home/.pgpass", "db.acme.io:5432:app:app_user:{v}\n"},
	{"credfile/git-credentials", "home/.git-credentials", "https://ci-bot:{v}@git.acme.io\n"},
	{"credfile/esmtprc", "home/.esmtprc", "hostname = smtp.acme.io:587\nusername = \"mailer\"\npassword = \"{v}\"\n"},
	{"credfile/pypirc", "home/.pypirc", "[pypi]\nrepository = https://pypi.acme.io\nusername = deploy\npassword = {v}\n"},
	{"credfile/npmrc", "home/.npmrc", "//nexus.acme.io/repository/npm/:_password={b}\n"},
	{"credfile/docker-config", "home/.docker/config.json", "{\n  \"auths\": {\n    \"registry.acme.io\": {\n      \"auth\": \"{b}\"\n    }\n  }\n}\n"},
	{"credfile/filezilla", "filezilla/recentservers.xml", "<FileZilla3>\n<RecentServers>\n<Server>\n<Host>ftp.acme.io</Host>\n<User>deploy</User>\n<Pass>{v}</Pass>\n</Server>\n</RecentServers>\n</FileZilla3>\n"},
	{"credfile/dbeaver", "workspace/General/.dbeaver/data-sources.json", "{\"connections\":{\"pg\":{\"configuration\":{\"host\":\"db\",\"user\":\"app\",\"password\":\"{v}\"}}}}\n"},
	{"credfile/robomongo", "home/.config/robomongo/1.4/robomongo.json", "{ \"connections\" : [ { \"credentials\" : [ { \"userName\" : \"app\", \"userPassword\" : \"{v}\" } ] } ] }\n"},
	{"credfile/ventrilo", "ventrilo/ventrilo_srv.ini", "[Server]\nName=Guild\nAdminPassword={v}\n"},
	{"credfile/wp-config", "wp-config.php", "<?php\ndefine( 'DB_PASSWORD', '{v}' );\n"},
	{"credfile/mysql-option", "home/.my.cnf", "[client]\nuser=app\npassword={v}\n"},
}

func generatedCases(rng *rand.Rand) []genCase {
	var out []genCase
	k := 0
	// Three cases per form, each with another name and value.
	for round := 0; round < 3; round++ {
		for _, f := range forms {
			n := pwNames[k%len(pwNames)]
			k++
			v := password(rng)
			r := strings.NewReplacer("{n}", n, "{c}", camel(n), "{N}", strings.ToUpper(n),
				"{d}", strings.ReplaceAll(n, "_", "."), "{v}", v,
				"{b}", base64.StdEncoding.EncodeToString([]byte("deploy:"+v)))
			out = append(out, genCase{family: f.family, file: f.file, text: r.Replace(f.tmpl)})
		}
	}
	return out
}

// copyNegatives copies n text files from the module cache, spread evenly
// over the sorted list of candidates, keeping their module-relative paths.
func copyNegatives(dir, modcache string, n int) ([]Label, error) {
	var cands []string
	exts := map[string]bool{".go": true, ".md": true, ".yaml": true, ".yml": true, ".json": true, ".sh": true,
		".py": true, ".js": true, ".ts": true, ".toml": true, ".txt": true, ".xml": true, ".proto": true, ".c": true, ".h": true, ".s": true}
	err := filepath.WalkDir(modcache, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable corners of the cache are not negatives
		}
		if d.IsDir() {
			if d.Name() == "cache" && filepath.Dir(p) == filepath.Clean(modcache) {
				return filepath.SkipDir // zips and checksums, not source
			}
			return nil
		}
		if exts[strings.ToLower(filepath.Ext(p))] {
			cands = append(cands, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", modcache, err)
	}
	sort.Strings(cands)
	if len(cands) == 0 {
		return nil, fmt.Errorf("no source files under %s", modcache)
	}
	step := max(1, len(cands)/n)
	var labels []Label
	for i := 0; i < len(cands) && len(labels) < n; i += step {
		data, err := os.ReadFile(cands[i])
		if err != nil || scanner.IsBinary(data) || len(data) > 1<<20 {
			continue
		}
		rel, _ := filepath.Rel(modcache, cands[i])
		l := Label{Path: "neg/" + filepath.ToSlash(rel), Lines: countLines(data)}
		p := filepath.Join(dir, filepath.FromSlash(l.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return nil, err
		}
		labels = append(labels, l)
	}
	return labels, nil
}

func countLines(data []byte) int {
	n := strings.Count(string(data), "\n")
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}

type finding struct {
	RuleID     string `json:"rule_id"`
	File       string `json:"file"`
	StartLine  int    `json:"start_line"`
	Confidence string `json:"confidence"`
}

func scoreSet(dir, reportPath string) error {
	var labels []Label
	data, err := os.ReadFile(filepath.Join(dir, "labels.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, &labels); err != nil {
		return fmt.Errorf("labels.json: %w", err)
	}
	var fs []finding
	rf, err := os.Open(reportPath)
	if err != nil {
		return err
	}
	defer rf.Close()
	if err := json.NewDecoder(bufio.NewReader(rf)).Decode(&fs); err != nil {
		return fmt.Errorf("%s: %w", reportPath, err)
	}
	byFile := map[string][]finding{}
	for _, f := range fs {
		byFile[filepath.ToSlash(f.File)] = append(byFile[filepath.ToSlash(f.File)], f)
	}
	type tally struct{ n, any, anyMed, strict, rules int }
	kinds := map[string]*tally{"examples": {}, "generated": {}}
	families := map[string]bool{}
	var missed []string
	var negLines, negFiles int
	fpLines := map[string]bool{}
	fpByRule := map[string]int{}
	fpMedByRule := map[string]int{}
	missedFam := map[string]int{}
	for _, l := range labels {
		got := byFile[l.Path]
		if !l.Pos {
			negFiles++
			negLines += l.Lines
			for _, f := range got {
				key := fmt.Sprintf("%s:%d", l.Path, f.StartLine)
				if !fpLines[key] {
					fpLines[key] = true
					fpByRule[f.RuleID]++
					if rules.ConfidenceRank(f.Confidence) >= 2 {
						fpMedByRule[f.RuleID]++
					}
				}
			}
			continue
		}
		kind := "generated"
		if l.Rule != "" {
			kind = "examples"
		}
		t := kinds[kind]
		t.n++
		families[l.Family] = true
		if len(got) > 0 {
			t.any++
		} else {
			missed = append(missed, l.Path)
			missedFam[l.Family]++
		}
		med := false
		for _, f := range got {
			if rules.ConfidenceRank(f.Confidence) >= 2 {
				med = true
			}
			if l.Rule != "" && f.RuleID == l.Rule {
				t.strict++
				break
			}
		}
		if med {
			t.anyMed++
		}
	}
	pct := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return 100 * float64(a) / float64(b)
	}
	total := kinds["examples"].n + kinds["generated"].n
	found := kinds["examples"].any + kinds["generated"].any
	foundMed := kinds["examples"].anyMed + kinds["generated"].anyMed
	fmt.Printf("positives: %d (%d rule examples, %d generated) across %d families\n", total, kinds["examples"].n, kinds["generated"].n, len(families))
	fmt.Printf("recall: %.1f%% (%d/%d); rule examples %.1f%% (found as their own rule %.1f%%), generated %.1f%%\n",
		pct(found, total), found, total, pct(kinds["examples"].any, kinds["examples"].n), pct(kinds["examples"].strict, kinds["examples"].n), pct(kinds["generated"].any, kinds["generated"].n))
	fmt.Printf("recall at --min-confidence medium: %.1f%% (%d/%d)\n", pct(foundMed, total), foundMed, total)
	fmt.Printf("negatives: %d lines in %d files of real module source\n", negLines, negFiles)
	medFP := 0
	for _, n := range fpMedByRule {
		medFP += n
	}
	fmt.Printf("false positives: %d lines (%.3f%% of negative lines); at --min-confidence medium: %d\n", len(fpLines), pct(len(fpLines), negLines), medFP)
	for _, r := range sortedKeys(fpByRule) {
		fmt.Printf("  %-40s %4d  (medium+: %d)\n", r, fpByRule[r], fpMedByRule[r])
	}
	if len(missed) > 0 {
		fmt.Printf("missed positives by family:\n")
		for _, f := range sortedKeys(missedFam) {
			fmt.Printf("  %-40s %4d\n", f, missedFam[f])
		}
	}
	return nil
}

// sortedKeys orders a count map by count, then name.
func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}
