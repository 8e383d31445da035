package main

import (
	"context"
	"errors"
)

// runReport is not written yet.
func runReport(ctx context.Context, e *env, args []string) error {
	return errors.New("report: not implemented yet")
}
