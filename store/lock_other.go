//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

// lockWrites: on systems without flock, writers are not serialised; one
// writer at a time is the caller's to ensure (see lock_unix.go).
func lockWrites(dir string) (unlock func(), err error) { return func() {}, nil }
