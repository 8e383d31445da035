package regress

import (
	"testing"
	"time"
)

func TestExplore(t *testing.T) {
	Xtr, ytr, Xte, yte := friedmanSplit()
	for _, w := range []int{1, 2} {
		o := DefaultGBDTOptions()
		o.Workers = w
		g := NewGBDT(o)
		st := time.Now()
		if err := g.Fit(Xtr, ytr); err != nil {
			t.Fatal(err)
		}
		t.Logf("gbdt workers=%d fit %v R2 %.4f", w, time.Since(st), r2(t, g, Xte, yte))
	}
	f := NewForest(DefaultForestOptions())
	st := time.Now()
	if err := f.Fit(Xtr, ytr); err != nil {
		t.Fatal(err)
	}
	t.Logf("forest fit %v R2 %.4f", time.Since(st), r2(t, f, Xte, yte))
	l := NewLinear(LinearOptions{})
	st = time.Now()
	if err := l.Fit(Xtr, ytr); err != nil {
		t.Fatal(err)
	}
	t.Logf("linear fit %v R2 %.4f", time.Since(st), r2(t, l, Xte, yte))
}
