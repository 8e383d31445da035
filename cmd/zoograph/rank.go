package main

import (
	"context"
	"errors"
)

// runRank is not written yet.
func runRank(ctx context.Context, e *env, args []string) error {
	return errors.New("rank: not implemented yet")
}
