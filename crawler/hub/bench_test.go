package hub_test

import (
	"context"
	"io"
	"testing"

	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
)

// BenchmarkListModels measures listing ingest from a zero-latency replica:
// full pages of 1000 models with the default expand fields, decoded into
// hub.ModelInfo. The goal is 50 000 models/s.
func BenchmarkListModels(b *testing.B) {
	const zoo = 100_000
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: zoo, Datasets: 2000, Seed: 1}})
	url, stop, err := h.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	c, err := hub.New(hub.Options{Endpoint: url, Quota: hub.Quota{Off: true}})
	if err != nil {
		b.Fatal(err)
	}
	opt := hub.ListOptions{Sort: "createdAt", Limit: 1000, Expand: hub.DefaultModelExpand()}
	// Warm the replica's sort index.
	if _, err := c.ListModels(opt).Next(context.Background()); err != nil {
		b.Fatal(err)
	}
	cpu := hub.StartCPU()
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
	if s := cpu(); s > 0 {
		// CPU seconds of client and replica together: meaningful on a
		// loaded machine, where models/s is not.
		b.ReportMetric(float64(models)/s, "models/cpu-s")
	}
	b.ReportMetric(float64(c.Stats().Bytes)/float64(max(models, 1)), "B/model")
}
