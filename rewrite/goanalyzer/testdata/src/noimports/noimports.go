package noimports // a package without imports

func Key() string {
	return "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" // want `rule groq-api-key`
}
