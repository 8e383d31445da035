package main

import (
	"context"
	"errors"
)

// runRun is not written yet.
func runRun(ctx context.Context, e *env, args []string) error {
	return errors.New("run: not implemented yet")
}
