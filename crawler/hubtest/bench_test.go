package hubtest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/zoograph/zoograph/store/storetest"
)

// discard is a ResponseWriter that drops the body.
type discard struct {
	h http.Header
	n int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(b []byte) (int, error) { d.n += len(b); return len(b), nil }

// BenchmarkServeList measures the replica's cost per listed model (page of
// 1000, the client's default expand fields), without HTTP transport.
func BenchmarkServeList(b *testing.B) {
	const expand = "expand=author&expand=sha&expand=createdAt&expand=lastModified&expand=private&expand=gated&expand=disabled&expand=downloads&expand=downloadsAllTime&expand=likes&expand=trendingScore&expand=tags&expand=pipeline_tag&expand=library_name&expand=config&expand=safetensors"
	b.Run("default", func(b *testing.B) { benchServe(b, "/api/models?sort=createdAt&limit=1000&"+expand) })
	b.Run("cardData", func(b *testing.B) { benchServe(b, "/api/models?sort=createdAt&limit=1000&expand=cardData&"+expand) })
}

func benchServe(b *testing.B, url string) {
	h := New(Options{Zoo: Zoo{Models: 100_000, Datasets: 2000, Seed: 1}})
	h.ServeHTTP(&discard{h: http.Header{}}, httptest.NewRequest("GET", url, nil)) // build the index
	cpu0 := storetest.CPUTime()
	b.ReportAllocs()
	b.ResetTimer()
	bytes := 0
	for i := 0; i < b.N; i++ {
		d := &discard{h: http.Header{}}
		h.ServeHTTP(d, httptest.NewRequest("GET", url, nil))
		bytes += d.n
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "models/s")
	if s := (storetest.CPUTime() - cpu0).Seconds(); s > 0 {
		b.ReportMetric(float64(b.N*1000)/s, "models/cpu-s")
	}
	b.ReportMetric(float64(bytes)/float64(b.N*1000), "B/model")
}
