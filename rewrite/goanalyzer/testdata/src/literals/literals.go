// Package literals holds secrets in the places a string literal can be.
package literals

import (
	"console"
	"httpx"
)

var groqKey = "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" // want `hardcoded secret \(rule groq-api-key, vault name "groq-api-key"\): replace with secrets.Get\("groq-api-key"\)`

// sameKey holds the same value, so it gets the same name.
var sameKey = "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" // want `vault name "groq-api-key"`

type client struct {
	token string
	name  string `json:"name"`
}

var billing = client{token: "sk_live_tfjgVvVqE1SkHbn88HxjSI6b", name: "billing"} // want `rule stripe-live-key, vault name "stripe-secret-key"`

var keys = map[string]string{
	"aws_deploy": "AKIAAJ08XUI6D39ZZZZG", // want `rule aws-access-key-id`
}

var raw = `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` // want `vault name "groq-api-key-2"`

var dsn = "postgres://app:Zq8tLm2vXc9pRw4s@db.internal:5432/app" // want `rule postgres-password-in-url`

var rawDSN = `postgres://app:Zq8tLm2vXc9pRw4s@replica.internal:5432/app?sslmode=require` // want `rule postgres-password-in-url`

var token = "Bearer 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"[7:] // want `rule groq-api-key`

type header string

var typed header = "sk_live_WHtP3fS2qHx6kwXoIIXGvOoN" // want `rule stripe-live-key`

func call() {
	console.Println("AKIA4ZDMEN2KHVDGAJ8G") // want `rule aws-access-key-id`
	req, _ := httpx.NewRequest("GET", "https://api.groq.com/openai/v1/models", nil)
	req.Header.Set("Authorization", "Bearer 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") // want `rule groq-api-key`
	_ = req
}

// The old key was 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, rotated. // want `secret in a comment \(rule groq-api-key`

var allowed = "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" // a test fixture: leakfix:allow

var placeholder = "gsk_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

type tagged struct {
	Key string `default:"AKIAXBENYJQWX4HH5344"` // want `in a struct tag`
}
