// Package polyglot builds the polyglot monorepo fixture of issue 10, shared
// by the CLI's run tests and rewrite/e2e: Python services with src/
// layouts run from their own folder by their Dockerfiles (one with its own
// utils package), a Go module, a Go folder in no module, a Node service,
// Kubernetes manifests, a GitHub workflow, docker compose, Terraform and a
// .NET appsettings.json. Values follow each provider's documented format
// and are random (fixed seed), so no real credential is in it.
package polyglot

import "math/rand"

// Fixture returns the fixture's files (path → content) and the secret
// values it holds (short provider key → value).
func Fixture() (files, values map[string]string) {
	r := rand.New(rand.NewSource(10))
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	digits := func(n int) string { return randString(r, n, "0123456789") }
	v := map[string]string{
		"groq":      "gsk_" + randString(r, 52, alnum),
		"github":    "ghp_" + randString(r, 36, alnum),
		"stripe":    "sk_live_" + randString(r, 24, alnum),
		"slack":     "xoxb-" + digits(12) + "-" + digits(13) + "-" + randString(r, 24, alnum),
		"aws":       "AKIA" + randString(r, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
		"anthropic": "sk-ant-api03-" + randString(r, 93, alnum) + "AA",
		"mongo":     "mongodb+srv://svc_user:" + randString(r, 16, alnum) + "@cluster0.ab1cd.mongodb.net/app",
		"sendgrid":  "SG." + randString(r, 22, alnum) + "." + randString(r, 43, alnum),
	}
	files = map[string]string{
		"auth-service/Dockerfile":         "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY src/ .\nCMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\"]\n",
		"auth-service/requirements.txt":   "fastapi\npymongo\n",
		"auth-service/src/main.py":        "from fastapi import FastAPI\nfrom routes import auth\n\napp = FastAPI()\nGROQ_API_KEY = \"" + v["groq"] + "\"\nBILLING = auth.STRIPE_SECRET_KEY\n",
		"auth-service/src/routes/auth.py": "STRIPE_SECRET_KEY = \"" + v["stripe"] + "\"\n",
		// Its own utils package, with a secrets module of its own: the
		// helper must neither collide with nor be shadowed by it.
		"user-service/Dockerfile":               "FROM python:3.12-slim\nWORKDIR /srv\nCOPY src/ .\nCMD [\"python\", \"main.py\"]\n",
		"user-service/requirements.txt":         "pymongo\n",
		"user-service/src/main.py":              "from pymongo import MongoClient\nfrom utils.email_utils import SENDGRID_API_KEY\nfrom utils import secrets as user_secrets\n\nMONGO_URI = \"" + v["mongo"] + "\"\nclient = MongoClient(MONGO_URI)\nMAIL_KEY = SENDGRID_API_KEY\nSALT = user_secrets.salt()\n",
		"user-service/src/utils/__init__.py":    "",
		"user-service/src/utils/secrets.py":     "def salt():\n    return \"pepper\"\n",
		"user-service/src/utils/email_utils.py": "SENDGRID_API_KEY = \"" + v["sendgrid"] + "\"\n",
		"go-api/go.mod":                         "module example.com/goapi\n\ngo 1.22\n",
		"go-api/Dockerfile":                     "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /api ./cmd/server\nCMD [\"/api\"]\n",
		"go-api/cmd/server/main.go":             "package main\n\nimport \"fmt\"\n\nvar slackToken = \"" + v["slack"] + "\"\n\nfunc main() { fmt.Print(slackToken) }\n",
		"go-api/cmd/server/main_test.go":        "package main\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestToken(t *testing.T) {\n\tif slackToken != os.Getenv(\"WANT_SLACK\") {\n\t\tt.Fatal(\"slackToken is not the original value\")\n\t}\n}\n",
		"go-tool/main.go":                       "package main\n\nimport \"fmt\"\n\nvar awsKeyID = \"" + v["aws"] + "\"\n\nfunc main() { fmt.Print(awsKeyID) }\n",
		"web/package.json":                      "{\"name\": \"web\", \"version\": \"1.0.0\", \"main\": \"src/config.js\"}\n",
		"web/Dockerfile":                        "FROM node:20\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"src/config.js\"]\n",
		"web/src/config.js":                     "'use strict';\nconst ANTHROPIC_API_KEY = \"" + v["anthropic"] + "\";\nmodule.exports = { ANTHROPIC_API_KEY };\n",
		"web/src/keys.mjs":                      "export const ANTHROPIC = \"" + v["anthropic"] + "\";\n",
		"docker-compose.yml":                    "services:\n  auth:\n    build: ./auth-service\n    environment:\n      GROQ_API_KEY: " + v["groq"] + "\n",
		".github/workflows/ci.yml":              "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      GH_PAT: " + v["github"] + "\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo \"$GH_PAT\" | wc -c\n",
		"dotnet-api/Dockerfile":                 "FROM mcr.microsoft.com/dotnet/aspnet:8.0\nWORKDIR /app\nCOPY out/ .\nENV SENDGRID_API_KEY=" + v["sendgrid"] + "\nENTRYPOINT [\"dotnet\", \"Api.dll\"]\n",
		"dotnet-api/appsettings.json":           "{\n  \"Stripe\": {\n    \"SecretKey\": \"" + v["stripe"] + "\"\n  }\n}\n",
		"k8s/deployment.yaml":                   "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: auth\nspec:\n  template:\n    spec:\n      containers:\n        - name: auth\n          image: auth:1\n          env:\n            - name: GROQ_API_KEY\n              value: \"" + v["groq"] + "\"\n",
		"infra/prod.tfvars":                     "region = \"eu-west-1\"\nstripe_key = \"" + v["stripe"] + "\"\n",
		"infra/variables.tf":                    "variable \"region\" {\n  type = string\n}\n\nvariable \"stripe_key\" {\n  type = string\n}\n",
		"k8s/secret.yaml":                       "apiVersion: v1\nkind: Secret\nmetadata:\n  name: auth\nstringData:\n  token: " + v["github"] + "\n",
	}
	return files, v
}

func randString(r *rand.Rand, n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.Intn(len(alphabet))]
	}
	return string(b)
}
