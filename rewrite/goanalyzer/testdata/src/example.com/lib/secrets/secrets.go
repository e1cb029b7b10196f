// Package secrets stands in for the helper package in analyzer tests.
package secrets

// Get returns the secret named name.
func Get(name string) string { return name }

// MustEnv returns the environment variable key.
func MustEnv(key string) string { return key }
