package hub_test

import (
	"context"
	"io"
	"testing"

	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/store/storetest"
)

// BenchmarkListModels measures listing ingest from a zero-latency replica
// over loopback HTTP: full pages of 1000 models decoded into hub.ModelInfo,
// with the default expand fields and with cardData added (as the crawler
// lists).
//
// models/s is wall-clock; models/cpu-s divides by the CPU time of client
// and replica together (both run in this process), which is what a loaded
// machine can still measure.
func BenchmarkListModels(b *testing.B) {
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 100_000, Datasets: 2000, Seed: 1}})
	url, stop, err := h.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	c, err := hub.New(hub.Options{Endpoint: url, Quota: hub.Quota{Off: true}})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		expand []string
	}{
		{"default", hub.DefaultModelExpand()},
		{"cardData", append(hub.DefaultModelExpand(), "cardData")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opt := hub.ListOptions{Sort: "createdAt", Limit: 1000, Expand: bc.expand}
			// Warm the replica's sort index.
			if _, err := c.ListModels(opt).Next(context.Background()); err != nil {
				b.Fatal(err)
			}
			bytes0 := c.Stats().Bytes
			cpu0 := storetest.CPUTime()
			b.ReportAllocs()
			b.ResetTimer()
			models := 0
			p := c.ListModels(opt)
			for i := 0; i < b.N; i++ {
				page, err := p.Next(context.Background())
				if err == io.EOF {
					p = c.ListModels(opt)
					page, err = p.Next(context.Background())
				}
				if err != nil {
					b.Fatal(err)
				}
				models += len(page.Models)
			}
			b.ReportMetric(float64(models)/b.Elapsed().Seconds(), "models/s")
			if s := (storetest.CPUTime() - cpu0).Seconds(); s > 0 {
				b.ReportMetric(float64(models)/s, "models/cpu-s")
			}
			b.ReportMetric(float64(c.Stats().Bytes-bytes0)/float64(max(models, 1)), "B/model")
		})
	}
}
