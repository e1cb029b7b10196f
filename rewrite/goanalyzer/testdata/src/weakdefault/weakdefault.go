// Package weakdefault falls back to guessable values for secret settings.
package weakdefault

import (
	"cmp"
	"os"
)

func getEnv(key, fallback string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return fallback
}

var jwtSecret = getEnv("JWT_SECRET", "dev-jwt") // want `weak default for JWT_SECRET \(rule go-env-weak-default\): remove the fallback so a missing setting fails: secrets.MustEnv\("JWT_SECRET"\)`

var sessionKey = cmp.Or(os.Getenv("SESSION_KEY"), "changeme") // want `weak default for SESSION_KEY`

func setup() {
	_ = os.Setenv("API_TOKEN", "letmein") // want `weak default for API_TOKEN \(rule go-env-weak-default\): not rewritten: the lookup does not return a string`
}
