// Package secrets is an unrelated package that happens to share the
// helper's name, for the import clash test.
package secrets

// Rotate does nothing.
func Rotate() {}
