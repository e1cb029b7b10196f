// Package existing already imports the helper, under another name.
package existing

import vault "example.com/lib/secrets"

var known = vault.Get("groq-api-key")

var another = "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" // want `replace with vault.Get\("groq-api-key"\)`
