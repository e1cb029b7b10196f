package configfile

import (
	"testing"

	"github.com/leakfix/leakfix/rewrite/internal/rewritetest"
)

func TestGolden(t *testing.T) {
	rewritetest.Golden(t, "testdata", New(), nil)
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{
		".env": DotEnv, ".env.production": DotEnv, "prod.env": DotEnv, "a/b/.ENV": DotEnv,
		"compose.yaml": YAML, "x.yml": YAML, "package.json": JSON, "vars.tfvars.json": Unknown,
		"setup.cfg": INI, "app.ini": INI, "application.properties": Properties, "pyproject.toml": TOML,
		"prod.tfvars": TFVars, "Dockerfile": Dockerfile, "Dockerfile.prod": Dockerfile, "api.dockerfile": Dockerfile,
		"Containerfile": Dockerfile, "main.py": Unknown, "README.md": Unknown,
	} {
		if got := FormatOf(name); got != want {
			t.Errorf("FormatOf(%q) = %v, want %v", name, got, want)
		}
	}
}
