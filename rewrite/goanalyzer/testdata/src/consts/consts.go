// Package consts holds secrets in constant declarations.
package consts

import "httpx"

const groqAPIKey = "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" // want `rule groq-api-key, vault name "groq-api-key"\): replace with`

const (
	endpoint = "https://api.stripe.com"
	// stripeBillingKey is the live key of the billing account.
	stripeBillingKey = "sk_live_tfjgVvVqE1SkHbn88HxjSI6b" // want `vault name "stripe-billing-secret-key"\): replace with`
	retries          = 3
)

// Used in another constant: a variable cannot take its place.
const awsDeployKey = "AKIAAJ08XUI6D39ZZZZG" // want `rule aws-access-key-id, vault name "aws-deploy-access-key-id"\): not rewritten: awsDeployKey is used in another constant`

const awsHeader = "AWS " + awsDeployKey

// Exported from an importable package: others may need a constant.
const StripeReportsKey = "sk_live_WHtP3fS2qHx6kwXoIIXGvOoN" // want `not rewritten: StripeReportsKey is exported`

type token string

func send(t token) {}

// Converted implicitly to a named type where it is used.
const groqBackupKey = "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" // want `not rewritten: groqBackupKey is used as consts.token`

// A typed constant becomes a typed variable.
const groqTypedKey token = "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" // want `vault name "groq-api-key-3"\): replace with`

func use() {
	const localKey = "AKIA4ZDMEN2KHVDGAJ8G" // want `rule aws-access-key-id.*replace with`
	req, _ := httpx.NewRequest("GET", endpoint, nil)
	req.Header.Set("Authorization", groqAPIKey)
	req.Header.Set("X-Stripe", stripeBillingKey)
	req.Header.Set("X-Aws", awsHeader+localKey)
	send(groqBackupKey)
	send(groqTypedKey)
	_ = retries
}
