// Package lookup generates the secret-lookup modules that rewritten code
// calls (`leakfix fix --emit-helper`): a Python module defining
// get_secret(name) and a CommonJS module (plus its TypeScript declaration)
// exporting getSecret(name), each backed by one vault target.
//
// Every module behaves the same way, following seed 002's sketch:
//
//  1. a cached value is returned at once (values are cached for the life
//     of the process, so a hot path never calls the vault twice);
//  2. if the vault is configured (an environment variable names it:
//     AZURE_KEY_VAULT_URL or AZURE_KEY_VAULT_NAME, AWS_REGION or
//     AWS_DEFAULT_REGION, VAULT_ADDR, GOOGLE_CLOUD_PROJECT) and
//     SECRETS_BACKEND is not "env", the vault is asked;
//  3. otherwise, or when the vault lookup fails, the environment variable
//     named after the secret in upper snake case is used
//     (`together-ai-api-key` → TOGETHER_AI_API_KEY), which is also what
//     the config-file rewrites reference and what container platforms
//     inject from the vault;
//  4. a secret found nowhere raises an error naming the secret and the
//     variable, never a value.
//
// Python uses each vault's SDK, imported only when the vault is used, so
// the module imports (and falls back) without it. JavaScript must return
// synchronously, because it replaces a literal in module-level code, and
// the vault SDKs for Node are asynchronous; so getSecret runs the vault's
// CLI (az, aws, vault, gcloud) with execFileSync, passing only the secret's
// name — the value comes back on stdout, never on a command line.
//
// Names line up with `leakfix plan`: the HashiCorp Vault value lives in
// field "value" of a KV v2 secret under mount VAULT_KV_MOUNT (default
// "secret"); SECRETS_PREFIX is prepended to AWS and Vault paths, as plan's
// --prefix is.
package lookup

import (
	"fmt"
	"strings"
)

// Target names a vault, as `--target` spells it.
type Target string

const (
	AzureKeyVault     Target = "azure-keyvault"
	AWSSecretsManager Target = "aws-secrets-manager"
	HashiCorpVault    Target = "hashicorp-vault"
	GCPSecretManager  Target = "gcp-secret-manager"
)

// Targets lists the supported targets.
func Targets() []Target {
	return []Target{AzureKeyVault, AWSSecretsManager, HashiCorpVault, GCPSecretManager}
}

// ParseTarget checks a --target value.
func ParseTarget(s string) (Target, error) {
	for _, t := range Targets() {
		if string(t) == s {
			return t, nil
		}
	}
	names := make([]string, 0, 4)
	for _, t := range Targets() {
		names = append(names, string(t))
	}
	return "", fmt.Errorf("unknown vault target %q (want one of %s)", s, strings.Join(names, ", "))
}

// target holds what differs between vaults.
type target struct {
	title string
	// Python: how the vault is configured, the SDK package, a client
	// factory and a lookup body (indented 4 spaces, returns str or None).
	pyConfigured string
	pyPackages   string
	pyClient     string
	pyLookup     string
	// JavaScript: the CLI, whether the vault is configured, the argv for
	// one lookup (a JS array expression using `name`), and whether the CLI
	// appends a newline to the value.
	jsCLI        string
	jsConfigured string
	jsArgs       string
	jsTrim       bool
}

func spec(t Target) (target, error) {
	switch t {
	case AzureKeyVault:
		return target{
			title:        "Azure Key Vault",
			pyConfigured: `os.environ.get("AZURE_KEY_VAULT_URL") or os.environ.get("AZURE_KEY_VAULT_NAME")`,
			pyPackages:   "azure-identity, azure-keyvault-secrets",
			pyClient: `    from azure.identity import DefaultAzureCredential
    from azure.keyvault.secrets import SecretClient

    return SecretClient(vault_url=_vault_url(), credential=DefaultAzureCredential())


def _vault_url() -> str:
    url = os.environ.get("AZURE_KEY_VAULT_URL")
    if url:
        return url
    return "https://%s.vault.azure.net/" % os.environ["AZURE_KEY_VAULT_NAME"]`,
			pyLookup:     `    return _client().get_secret(name).value`,
			jsCLI:        "az",
			jsConfigured: `process.env.AZURE_KEY_VAULT_URL || process.env.AZURE_KEY_VAULT_NAME`,
			jsArgs: `['keyvault', 'secret', 'show', '--id',
    (process.env.AZURE_KEY_VAULT_URL || ` + "`https://${process.env.AZURE_KEY_VAULT_NAME}.vault.azure.net`" + `).replace(/\/+$/, '') + '/secrets/' + name,
    '--query', 'value', '--output', 'tsv']`,
			jsTrim: true,
		}, nil
	case AWSSecretsManager:
		return target{
			title:        "AWS Secrets Manager",
			pyConfigured: `os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")`,
			pyPackages:   "boto3",
			pyClient: `    import boto3

    return boto3.client("secretsmanager")`,
			pyLookup: `    prefix = os.environ.get("SECRETS_PREFIX", "")
    return _client().get_secret_value(SecretId=prefix + name)["SecretString"]`,
			jsCLI:        "aws",
			jsConfigured: `process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION`,
			jsArgs: `['secretsmanager', 'get-secret-value', '--secret-id', (process.env.SECRETS_PREFIX || '') + name,
    '--query', 'SecretString', '--output', 'text']`,
			jsTrim: true,
		}, nil
	case HashiCorpVault:
		return target{
			title:        "HashiCorp Vault (KV v2)",
			pyConfigured: `os.environ.get("VAULT_ADDR")`,
			pyPackages:   "hvac",
			pyClient: `    import hvac

    return hvac.Client(url=os.environ["VAULT_ADDR"], token=os.environ.get("VAULT_TOKEN"))`,
			pyLookup: `    prefix = os.environ.get("SECRETS_PREFIX", "")
    mount = os.environ.get("VAULT_KV_MOUNT", "secret")
    response = _client().secrets.kv.v2.read_secret_version(
        path=prefix + name, mount_point=mount, raise_on_deleted_version=True
    )
    return response["data"]["data"]["value"]`,
			jsCLI:        "vault",
			jsConfigured: `process.env.VAULT_ADDR`,
			jsArgs: `['kv', 'get', '-mount=' + (process.env.VAULT_KV_MOUNT || 'secret'), '-field=value',
    (process.env.SECRETS_PREFIX || '') + name]`,
			jsTrim: false,
		}, nil
	case GCPSecretManager:
		return target{
			title:        "Google Cloud Secret Manager",
			pyConfigured: `os.environ.get("GOOGLE_CLOUD_PROJECT")`,
			pyPackages:   "google-cloud-secret-manager",
			pyClient: `    from google.cloud import secretmanager

    return secretmanager.SecretManagerServiceClient()`,
			pyLookup: `    path = "projects/%s/secrets/%s/versions/latest" % (os.environ["GOOGLE_CLOUD_PROJECT"], name)
    return _client().access_secret_version(request={"name": path}).payload.data.decode("utf-8")`,
			jsCLI:        "gcloud",
			jsConfigured: `process.env.GOOGLE_CLOUD_PROJECT`,
			jsArgs: `['secrets', 'versions', 'access', 'latest', '--secret=' + name,
    '--project=' + process.env.GOOGLE_CLOUD_PROJECT]`,
			jsTrim: false,
		}, nil
	}
	_, err := ParseTarget(string(t))
	return target{}, err
}

// Python returns the source of the Python lookup module for t.
func Python(t Target) ([]byte, error) {
	s, err := spec(t)
	if err != nil {
		return nil, err
	}
	r := strings.NewReplacer(
		"{{TITLE}}", s.title, "{{TARGET}}", string(t), "{{PACKAGES}}", s.pyPackages,
		"{{CONFIGURED}}", s.pyConfigured, "{{CLIENT}}", s.pyClient, "{{LOOKUP}}", s.pyLookup,
	)
	return []byte(r.Replace(pythonTemplate)), nil
}

// JS returns the CommonJS lookup module for t and its TypeScript
// declaration (written beside it as .d.cts).
func JS(t Target) (module, declaration []byte, err error) {
	s, err := spec(t)
	if err != nil {
		return nil, nil, err
	}
	trim := "out"
	if s.jsTrim {
		trim = `out.replace(/\r?\n$/, '')`
	}
	r := strings.NewReplacer(
		"{{TITLE}}", s.title, "{{TARGET}}", string(t), "{{CLI}}", s.jsCLI,
		"{{CONFIGURED}}", s.jsConfigured, "{{ARGS}}", s.jsArgs, "{{TRIM}}", trim,
	)
	return []byte(r.Replace(jsTemplate)), []byte(dtsTemplate), nil
}

const pythonTemplate = `"""Secret lookup for code rewritten by ` + "`leakfix fix`" + ` ({{TARGET}}).

get_secret(name) returns the secret stored under ` + "`name`" + ` in {{TITLE}}.
When the vault is not configured, when SECRETS_BACKEND=env, or when the
lookup fails, it reads the environment variable named after the secret in
upper snake case instead (together-ai-api-key -> TOGETHER_AI_API_KEY), which
is also how container platforms inject vault secrets. Values are cached for
the life of the process. A secret found nowhere raises SecretNotFoundError,
which names the secret but never holds a value.

The vault SDK ({{PACKAGES}}) is imported only when the vault is used.
Generated by leakfix; edit freely.
"""
from __future__ import annotations

import functools
import logging
import os
import re

__all__ = ["SecretNotFoundError", "env_name", "get_secret"]

_log = logging.getLogger(__name__)


class SecretNotFoundError(LookupError):
    """A secret is in neither the vault nor the environment."""


def env_name(name: str) -> str:
    """Return the environment variable that stands for vault name ` + "`name`" + `."""
    var = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper()
    return "_" + var if var[:1].isdigit() else var


def _configured() -> bool:
    if os.environ.get("SECRETS_BACKEND", "").lower() == "env":
        return False
    return bool({{CONFIGURED}})


@functools.lru_cache(maxsize=1)
def _client():
{{CLIENT}}


def _from_vault(name: str) -> str:
{{LOOKUP}}


@functools.lru_cache(maxsize=None)
def get_secret(name: str) -> str:
    """Return the secret ` + "`name`" + ` from {{TITLE}} or the environment."""
    value = None
    if _configured():
        try:
            value = _from_vault(name)
        except Exception as exc:  # noqa: BLE001 - any vault failure falls back to the environment
            _log.warning(
                "secret %r: {{TARGET}} lookup failed (%s); trying $%s",
                name,
                type(exc).__name__,
                env_name(name),
            )
    if value is None:
        value = os.environ.get(env_name(name))
    if value is None:
        raise SecretNotFoundError(
            "secret %r is not in {{TITLE}} nor in the environment variable %s" % (name, env_name(name))
        )
    return value
`

const jsTemplate = `'use strict';
// Secret lookup for code rewritten by ` + "`leakfix fix`" + ` ({{TARGET}}).
//
// getSecret(name) returns the secret stored under ` + "`name`" + ` in {{TITLE}}.
// When the vault is not configured, when SECRETS_BACKEND=env, or when the
// lookup fails, it reads the environment variable named after the secret in
// upper snake case instead (together-ai-api-key -> TOGETHER_AI_API_KEY).
// Values are cached for the life of the process.
//
// getSecret is synchronous because it replaces literals in module-level
// code, so it asks the vault through the ` + "`{{CLI}}`" + ` CLI (execFileSync): only
// the secret's name is on the command line; the value comes back on stdout.
// Generated by leakfix; edit freely.

const { execFileSync } = require('node:child_process');

const cache = new Map();

function envName(name) {
  const v = String(name).replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase();
  return /^[0-9]/.test(v) ? '_' + v : v;
}

function configured() {
  if ((process.env.SECRETS_BACKEND || '').toLowerCase() === 'env') {
    return false;
  }
  return Boolean({{CONFIGURED}});
}

function fromVault(name) {
  const out = execFileSync('{{CLI}}', {{ARGS}}, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30000,
    maxBuffer: 1 << 20,
  });
  return {{TRIM}};
}

function getSecret(name) {
  if (cache.has(name)) {
    return cache.get(name);
  }
  let value;
  if (configured()) {
    try {
      value = fromVault(name);
    } catch (err) {
      process.emitWarning(` + "`secret ${name}: {{TARGET}} lookup failed (${err.code || err.status || 'error'}); trying $${envName(name)}`" + `);
    }
  }
  if (value === undefined) {
    value = process.env[envName(name)];
  }
  if (value === undefined) {
    throw new Error(` + "`secret ${name} is not in {{TITLE}} nor in the environment variable ${envName(name)}`" + `);
  }
  cache.set(name, value);
  return value;
}

module.exports = { getSecret, envName };
`

const dtsTemplate = `// Types for the lookup module generated by leakfix fix --emit-helper.
/** Returns the secret stored under name in the vault, or from the environment variable envName(name). */
export declare function getSecret(name: string): string;
/** The environment variable that stands for a vault name (upper snake case). */
export declare function envName(name: string): string;
`
