// Package console is a stand-in for fmt, which is slow to load in
// analyzer tests.
package console

// Println prints its arguments.
func Println(args ...any) {}
