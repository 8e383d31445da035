// Package graphtest holds what the tests of graphlearn's learners share: a
// checked edge insert, the AUC of a score, and a context that cancels itself
// after a set number of polls. Only tests import it; it never touches a
// learner's internals, so each learner's tests stay its own.
package graphtest

import (
	"cmp"
	"context"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/zoograph/zoograph/graphlearn"
)

// MustAddEdge adds the edge u–v of kind k and weight w to b, and fails tb if
// b refuses it.
func MustAddEdge(tb testing.TB, b *graphlearn.Builder, u, v int32, k graphlearn.EdgeKind, w float64) {
	tb.Helper()
	if err := b.AddEdge(u, v, k, w); err != nil {
		tb.Fatal(err)
	}
}

// AUC is the Mann–Whitney estimate of P(score(pos) > score(neg)), ties
// counting one half:
//
//	AUC = (R₊ − n₊(n₊+1)/2) / (n₊·n₋),
//
// R₊ the sum of the positives' 1-based ranks among all scores, a tie group
// sharing its mean rank.
func AUC(pos, neg []float64) float64 {
	type s struct {
		v   float64
		pos bool
	}
	all := make([]s, 0, len(pos)+len(neg))
	for _, v := range pos {
		all = append(all, s{v, true})
	}
	for _, v := range neg {
		all = append(all, s{v, false})
	}
	slices.SortFunc(all, func(a, b s) int { return cmp.Compare(a.v, b.v) })
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		mid := float64(i+j+1) / 2 // average 1-based rank of the tie group
		for k := i; k < j; k++ {
			if all[k].pos {
				rankSum += mid
			}
		}
		i = j
	}
	np, nn := float64(len(pos)), float64(len(neg))
	return (rankSum - np*(np+1)/2) / (np * nn)
}

// PollCtx is a context that counts the calls to its Err and cancels itself
// on the n-th: a test first runs the code under test with NewPollCtx(-1) (it
// never cancels) to learn how often it polls, then cancels it part way with
// a known count and checks that it stopped at the next poll.
type PollCtx struct {
	context.Context
	// Polls counts the calls to Err so far; a test may reset it.
	Polls  atomic.Int64
	cancel context.CancelFunc
	left   atomic.Int64
}

// NewPollCtx returns a PollCtx that cancels itself on the n-th call to Err
// (never, for n ≤ 0).
func NewPollCtx(n int64) *PollCtx {
	ctx, cancel := context.WithCancel(context.Background())
	c := &PollCtx{Context: ctx, cancel: cancel}
	c.left.Store(n)
	return c
}

// Err counts the poll, cancels the context if it is the n-th, and returns
// the context's error.
func (c *PollCtx) Err() error {
	c.Polls.Add(1)
	if c.left.Add(-1) == 0 {
		c.cancel()
	}
	return c.Context.Err()
}
