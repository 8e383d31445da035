package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

func runAblate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "ablate", "--zoo ZOO --out DIR [flags]", `
Runs the configured method beside itself without one part at a time — the
graph learner, the history features, the prior, the metadata stacking and
whatever else the configured space holds — and beside the prior alone and a
regressor on metadata alone, on the same seeds, targets and model sets
(clean protocol only: --protocol may only say clean, and a --config file's
protocols are not read). Writes ablation.md and ablation.json to DIR
(created; it must not exist or be empty) with the paired difference of each
variant to the full method and its 95% interval over (target, seed), and the
full method's run directory under DIR/full.`)
	defaults := pipeline.DefaultConfig()
	defaults.Protocols = []string{"clean"} // what ablate runs, so -h shows it
	zoo, out, cfg, err := parseExperiment(fs, args, "directory to create (required; must not exist or be empty)", defaults)
	if err != nil {
		return err
	}
	if flagGiven(fs, "protocol") && !slices.Equal(cfg.Protocols, []string{"clean"}) {
		return usagef("--protocol %s: ablate compares the variants under the clean protocol only", strings.Join(cfg.Protocols, ","))
	}
	if err := checkOutDir(out, nil); err != nil { // before the minutes of work, not after
		return err
	}
	tables, manifest, err := store.ReadZoo(zoo)
	if err != nil {
		return err
	}
	bar := newBar(e, "ablate")
	defer bar.Finish()
	// The variants' runs repeat the full run's notes (datasets dropped,
	// baselines left out): each is said once. Progress goes to e.log.
	once := slog.New(&onceHandler{Handler: e.log.Handler(), seen: &seenRecords{m: map[string]bool{}}})
	a, err := pipeline.Ablate(ctx, tables, cfg, pipeline.Options{Logger: once, Progress: showProgress(e, bar)})
	if err != nil {
		return err
	}
	bar.Finish()
	if err := pipeline.WriteAblation(out, a, tables, zoo, manifest.Checksum()); err != nil {
		return err
	}
	a.WriteMarkdown(e.stdout)
	// Said last, as run and baseline say where their reports are.
	fmt.Fprintf(e.stdout, "ablation: %s (also %s); the full method's run: %s\n",
		filepath.Join(out, "ablation.md"), pipeline.FileAblation, filepath.Join(out, "full"))
	return nil
}

// onceHandler passes on a log record only the first time one with its
// level, message and attributes comes, from any of the handlers derived
// from it.
type onceHandler struct {
	slog.Handler
	prefix string // the attributes and groups of WithAttrs and WithGroup
	seen   *seenRecords
}

type seenRecords struct {
	mu sync.Mutex
	m  map[string]bool
}

func (h *onceHandler) Handle(ctx context.Context, r slog.Record) error {
	key := h.prefix + r.Level.String() + "\x00" + r.Message
	r.Attrs(func(a slog.Attr) bool {
		key += "\x00" + a.String()
		return true
	})
	h.seen.mu.Lock()
	dup := h.seen.m[key]
	h.seen.m[key] = true
	h.seen.mu.Unlock()
	if dup {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h *onceHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &onceHandler{Handler: h.Handler.WithAttrs(as), prefix: h.prefix + fmt.Sprint(as) + "\x00", seen: h.seen}
}

func (h *onceHandler) WithGroup(name string) slog.Handler {
	return &onceHandler{Handler: h.Handler.WithGroup(name), prefix: h.prefix + name + ".", seen: h.seen}
}
