// Package clash already uses the name secrets for something else.
package clash

import (
	"console"

	"other/secrets"
)

func Rotate() {
	secrets.Rotate()
	console.Println("sk_live_tfjgVvVqE1SkHbn88HxjSI6b") // want `replace with leakfixsecrets.Get\("stripe-secret-key"\)`
}
