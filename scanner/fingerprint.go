package scanner

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Fingerprints identify a finding across runs (baselines, .leakfixignore,
// SARIF partialFingerprints) without line numbers, so they survive lines
// moving. They must not let anyone recover a short secret by hashing
// guesses, so the secret goes through a memory-hard KDF first; its cost is
// paid once per distinct secret per run.
const (
	fingerprintSalt   = "leakfix/fingerprint/v1"
	argonTime         = 1
	argonMemoryKiB    = 1024
	argonThreads      = 1
	argonKeyLen       = 16
	fingerprintHexLen = 32
)

// hasher memoises the slow per-secret hash; safe for concurrent use.
type hasher struct {
	mu    sync.Mutex
	cache map[string][]byte
}

func newHasher() *hasher { return &hasher{cache: map[string][]byte{}} }

// secretHash returns the memory-hard hash of secret.
func (h *hasher) secretHash(secret string) []byte {
	h.mu.Lock()
	sum, ok := h.cache[secret]
	h.mu.Unlock()
	if ok {
		return sum
	}
	sum = argon2.IDKey([]byte(secret), []byte(fingerprintSalt), argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	h.mu.Lock()
	h.cache[secret] = sum
	h.mu.Unlock()
	return sum
}

// Fingerprint is the stable identity of (rule, file, secret).
func (h *hasher) Fingerprint(ruleID, file, secret string) string {
	d := sha256.New()
	d.Write([]byte(ruleID))
	d.Write([]byte{0})
	d.Write([]byte(file))
	d.Write([]byte{0})
	d.Write(h.secretHash(secret))
	return hex.EncodeToString(d.Sum(nil))[:fingerprintHexLen]
}
