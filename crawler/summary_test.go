package crawler_test

import (
	"strings"
	"testing"

	"github.com/zoograph/zoograph/crawler"
)

// TestSummaryFailuresLine checks the summary's failures line: the failed
// fetches by class, "none" for a committed crawl without any, and no line
// for a crawl that failed without a failed fetch (a Hub that cannot be
// reached), whose error says why.
func TestSummaryFailuresLine(t *testing.T) {
	for _, tt := range []struct {
		name string
		sum  crawler.Summary
		want string // "" for no failures line
	}{
		{"committed", crawler.Summary{Kind: crawler.KindModels, Out: "zoo", Committed: true, Stop: "end"}, "  failures   none\n"},
		{"committed with failed fetches", crawler.Summary{Kind: crawler.KindModels, Out: "zoo", Committed: true, Stop: "end",
			Failures: map[string]int64{"server": 2}}, "  failures   server=2\n"},
		{"failed", crawler.Summary{Kind: crawler.KindModels, Out: "zoo"}, ""},
		{"failed with failed fetches", crawler.Summary{Kind: crawler.KindModels, Out: "zoo", Pages: 1,
			Failures: map[string]int64{"network": 3}}, "  failures   network=3\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if _, err := tt.sum.WriteTo(&b); err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, line := range strings.SplitAfter(b.String(), "\n") {
				if strings.HasPrefix(line, "  failures") {
					got = line
				}
			}
			if got != tt.want {
				t.Errorf("failures line %q, want %q; summary:\n%s", got, tt.want, b.String())
			}
		})
	}
}
