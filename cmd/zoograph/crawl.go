package main

import (
	"context"
	"errors"
)

// runCrawl is not written yet.
func runCrawl(ctx context.Context, e *env, args []string) error {
	return errors.New("crawl: not implemented yet")
}
