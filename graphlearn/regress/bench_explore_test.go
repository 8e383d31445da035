package regress

import (
	"syscall"
	"testing"
)

func cpuNow() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func BenchmarkExploreGBDT(b *testing.B) {
	Xtr, ytr, _, _ := friedmanSplit()
	o := DefaultGBDTOptions()
	o.Workers = 1
	o.Trees = 100
	c0 := cpuNow()
	for b.Loop() {
		g := NewGBDT(o)
		if err := g.Fit(Xtr, ytr); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuNow()-c0)/float64(b.N), "cpu-s/op")
}
