package naming

import (
	"testing"

	"github.com/leakfix/leakfix/rules"
	"github.com/leakfix/leakfix/scanner"
)

const pack = `
[[rules]]
id = "azure-openai-api-key"
regex = 'x'
provider = "azure-openai"
name = "azure-openai-{purpose}-key"
[[rules]]
id = "together-ai-api-key"
regex = 'x'
provider = "together-ai"
name = "together-ai-api-key"
[[rules]]
id = "azure-tts-key"
regex = 'x'
provider = "azure-tts"
name = "azure-tts-subscription-key"
[[rules]]
id = "mongodb-connection-string"
regex = 'x'
provider = "mongodb"
[[rules]]
id = "generic-api-key"
regex = 'x'
provider = "generic"
`

func TestAssignSeedNames(t *testing.T) {
	cfg, err := rules.Parse("t.toml", []byte(pack))
	if err != nil {
		t.Fatal(err)
	}
	f := func(file string, line int, rule, provider, ident, secret string) scanner.Finding {
		return scanner.Finding{File: file, StartLine: line, RuleID: rule, Provider: provider, Identifier: ident, Secret: secret}
	}
	fs := []scanner.Finding{
		f("llm/main.py", 1, "azure-openai-api-key", "azure-openai", "AZURE_OPENAI_KEY", "9be2"),
		f("3d/main.py", 1, "azure-openai-api-key", "azure-openai", "openai_key_gpt_4_turbo", "9be2"),
		f("3d/main.py", 2, "azure-openai-api-key", "azure-openai", "openai_key_gpt_4", "9be2"),
		f("3d/main.py", 3, "azure-openai-api-key", "azure-openai", "openai_key_3_point_5_turbo", "07e6"),
		f("3d/main.py", 4, "together-ai-api-key", "together-ai", "together_api_key", "bd82"),
		f("text/main.py", 4, "together-ai-api-key", "together-ai", "TOGETHER_API_KEY", "bd82"),
		f("3d/main.py", 5, "azure-tts-key", "azure-tts", "tts_subscription_key", "2a87"),
		f("voice/main.py", 5, "azure-tts-key", "azure-tts", "tts_subscription_key", "ef2f"),
		f("upload/main.py", 1, "mongodb-connection-string", "mongodb", "MONGO_URI", "mongodb+srv://a"),
		f("crawl/main.py", 1, "mongodb-connection-string", "mongodb", "MONGODB_URL", "mongodb+srv://a"),
		f("app/settings.py", 1, "generic-api-key", "generic", "stripeWebhookSigningSecret", "whs"),
		f("svc/main.go", 1, "azure-openai-api-key", "azure-openai", "azureOpenAIKey", "c5ce"),
	}
	if err := Assign(fs, cfg, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"azure-openai-gpt-4-turbo-key", "azure-openai-gpt-4-turbo-key", "azure-openai-gpt-4-turbo-key",
		"azure-openai-3-point-5-turbo-key", "together-ai-api-key", "together-ai-api-key",
		"azure-tts-subscription-key", "azure-tts-subscription-key-2",
		"mongodb-connection-string", "mongodb-connection-string",
		"stripe-webhook-signing-secret", "azure-openai-key",
	}
	for i, w := range want {
		if fs[i].SecretName != w {
			t.Errorf("finding %d (%s): name %q, want %q", i, fs[i].Identifier, fs[i].SecretName, w)
		}
		if !Valid(fs[i].SecretName) {
			t.Errorf("name %q is not valid for every vault", fs[i].SecretName)
		}
	}
}

func TestOverrides(t *testing.T) {
	cfg, _ := rules.Parse("t.toml", []byte(pack))
	mk := func() []scanner.Finding {
		return []scanner.Finding{
			{File: "a", RuleID: "together-ai-api-key", Provider: "together-ai", Secret: "one", Fingerprint: "fp1"},
			{File: "b", RuleID: "azure-tts-key", Provider: "azure-tts", Secret: "two", Fingerprint: "fp2"},
		}
	}
	fs := mk()
	if err := Assign(fs, cfg, Overrides{"together-ai-api-key": "llama-key"}); err != nil {
		t.Fatal(err)
	}
	if fs[0].SecretName != "llama-key" {
		t.Errorf("override by name not applied: %q", fs[0].SecretName)
	}
	if err := Assign(mk(), cfg, Overrides{"fp1": "Bad_Name"}); err == nil {
		t.Error("invalid override accepted")
	}
	if err := Assign(mk(), cfg, Overrides{"fp1": "same", "fp2": "same"}); err == nil {
		t.Error("one override name for two secrets accepted")
	}
}

func TestWordsAndSanitize(t *testing.T) {
	tests := map[string]string{
		"openai_key_gpt_4_turbo": "openai-key-gpt-4-turbo",
		"GPT4Turbo":              "gpt-4-turbo",
		"AZURE_OPENAI_KEY":       "azure-openai-key",
		"stripeAPIKey":           "stripe-api-key",
		"9lives":                 "secret-9lives",
		"--a__b--":               "a-b",
	}
	for in, want := range tests {
		got := Sanitize(joinWords(Words(in)))
		if got != want {
			t.Errorf("Sanitize(Words(%q)) = %q, want %q", in, got, want)
		}
	}
}

func joinWords(w []string) string {
	out := ""
	for i, s := range w {
		if i > 0 {
			out += "-"
		}
		out += s
	}
	return out
}
