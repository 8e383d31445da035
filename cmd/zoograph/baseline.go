package main

import (
	"context"
	"errors"
)

// runBaseline is not written yet.
func runBaseline(ctx context.Context, e *env, args []string) error {
	return errors.New("baseline: not implemented yet")
}
