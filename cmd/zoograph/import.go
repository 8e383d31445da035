package main

import (
	"context"
	"errors"
)

// runImport is not written yet.
func runImport(ctx context.Context, e *env, args []string) error {
	return errors.New("import: not implemented yet")
}
