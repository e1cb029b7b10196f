// Package e2e holds end-to-end tests of the remediation path users
// deploy: `leakfix fix --write` → `leakfix plan` → the generated import.sh
// → the rewritten services reading their secrets back through the
// generated lookup helpers and the vendor SDKs.
//
// AWS Secrets Manager runs for real in moto_server (the AWS API emulator
// shipped with the machine's Python); the aws CLI, boto3,
// @aws-sdk/client-secrets-manager and aws-sdk-go-v2 talk to it exactly as
// they would to AWS, through AWS_ENDPOINT_URL.
package e2e
