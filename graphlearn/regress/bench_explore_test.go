package regress

import "testing"

func BenchmarkExploreGBDT(b *testing.B) {
	Xtr, ytr, _, _ := friedmanSplit()
	o := DefaultGBDTOptions()
	o.Workers = 1
	o.Trees = 100
	for b.Loop() {
		g := NewGBDT(o)
		if err := g.Fit(Xtr, ytr); err != nil {
			b.Fatal(err)
		}
	}
}
