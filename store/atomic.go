package store

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"os"
	"path/filepath"
	"strings"
)

// Temporary files are named ".BASE.tmp-RANDOM" in the directory of their
// final name, so a listing shows them as hidden and they are easy to sweep.
const tmpInfix = ".tmp-"

func tmpPattern(base string) string { return "." + base + tmpInfix + "*" }

func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tmpInfix)
}

// atomicFile is a temporary file that will replace its final name: writes go
// through a buffer and into a SHA-256 of the content.
type atomicFile struct {
	f    *os.File
	name string
	bw   *bufio.Writer
	h    hash.Hash
	n    int64
	err  error
}

func createTemp(dir, base string) (*atomicFile, error) {
	f, err := os.CreateTemp(dir, tmpPattern(base))
	if err != nil {
		return nil, err
	}
	a := &atomicFile{f: f, name: f.Name(), h: sha256.New()}
	a.bw = bufio.NewWriterSize(f, 1<<20)
	return a, nil
}

func (a *atomicFile) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	n, err := a.bw.Write(p)
	a.h.Write(p[:n])
	a.n += int64(n)
	a.err = err
	return n, err
}

// commit flushes, syncs and closes the file, leaving it under its temporary
// name, and returns its SHA-256 (hex) and size. On error the file is removed.
func (a *atomicFile) commit() (sum string, size int64, err error) {
	if a.err != nil {
		a.abort()
		return "", 0, a.err
	}
	if err = a.bw.Flush(); err == nil {
		if err = a.f.Chmod(0o644); err == nil {
			err = a.f.Sync()
		}
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(a.name)
		return "", 0, err
	}
	return hex.EncodeToString(a.h.Sum(nil)), a.n, nil
}

// abort closes and removes the temporary file.
func (a *atomicFile) abort() {
	a.f.Close()
	os.Remove(a.name)
}

// WriteFileAtomic replaces path with data: a temporary file in the same
// directory, fsync, rename, fsync of the directory. A reader sees the old
// content or the new, never a mix; a crash leaves at most a temporary file
// that the next zoo write removes.
func WriteFileAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	a, err := createTemp(dir, base)
	if err != nil {
		return err
	}
	if _, err := a.Write(data); err != nil {
		a.abort()
		return err
	}
	if _, _, err := a.commit(); err != nil {
		return err
	}
	if err := os.Rename(a.name, path); err != nil {
		os.Remove(a.name)
		return err
	}
	return syncDir(dir)
}

// syncDir makes the directory entries of dir (renames, new files) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
