package main

import (
	"context"
	"errors"
)

// runInspect is not written yet.
func runInspect(ctx context.Context, e *env, args []string) error {
	return errors.New("inspect: not implemented yet")
}
