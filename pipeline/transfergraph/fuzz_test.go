package transfergraph

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzParser checks that a parser never panics, that every problem it
// reports names a file, a line and a kind, and that strict mode fails
// exactly when default mode reports a problem.
func fuzzParser(f *testing.F, parser string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	parse := parsers[parser]
	f.Fuzz(func(t *testing.T, data []byte) {
		ps := &problems{log: discard()}
		n, err := parse(context.Background(), data, ps)
		if err != nil {
			return // a header error; no rows are read
		}
		if n < 0 {
			t.Fatalf("%d rows", n)
		}
		for _, p := range ps.list {
			if p.File == "" || p.Line < 1 || p.Kind == "" || !strings.HasPrefix(p.Reason, p.Kind+": ") {
				t.Fatalf("ill-formed problem %+v", p)
			}
		}
		_, err = parse(context.Background(), data, &problems{strict: true, log: discard()})
		if (err != nil) != (len(ps.list) > 0) {
			t.Fatalf("strict error %v, but default mode reported %d problems", err, len(ps.list))
		}
	})
}

// fixture returns the first lines of a fixture file: small seeds keep the
// fuzzer's minimisation of new inputs quick.
func fixture(f *testing.F, name string) string {
	data, err := os.ReadFile(filepath.Join(textFixture, name))
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	return strings.Join(lines[:min(len(lines), 4)], "")
}

func FuzzParseRecords(f *testing.F) {
	fuzzParser(f, "records/text", fixture(f, fileRecords), textRecordsHeader+textRecordsRow+"32,0.1,none\n"+strings.Replace(textRecordsRow, ",,,,,,", ",,lor,16,32,0.1,none", 1))
}

func FuzzParseImageRecords(f *testing.F) {
	fuzzParser(f, "records/image", imageRecordsHeader+imageRecordsRow, imageRecordsHeader+"0,\"a\nb\",c\n")
}

func FuzzParseModelConfig(f *testing.F) {
	fuzzParser(f, "config/text", fixture(f, fileConfig))
}

func FuzzParseImageModelConfig(f *testing.F) {
	fuzzParser(f, "config/image", imageConfigHeader+imageConfigRow+imageConfigRow)
}

func FuzzParseScores(f *testing.F) {
	fuzzParser(f, "scores", scoresHeader+scoresRow+"s/vit,cars,61.3,21.8\n", fixture(f, fileScores))
}

func FuzzParseFeatures(f *testing.F) {
	fuzzParser(f, "features", fixture(f, fileFeatures))
}

func FuzzParseDistances(f *testing.F) {
	fuzzParser(f, "distances", fixture(f, layouts[TaskText].distances), ",a,b\na,0,1\nb,1,0\n")
}

func FuzzParseResults(f *testing.F) {
	fuzzParser(f, "results", fixture(f, "result_analysis/pearson_correlation.csv"), resultsHeader+"LogME,0.1,,nan\n")
}

func FuzzParsePyList(f *testing.F) {
	for _, s := range []string{"['a', 'b']", `["a\"b"]`, "x", "[", "['a',]", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parsePyList(s)
		if err == nil && got == nil {
			t.Fatalf("parsePyList(%q) = nil, nil", s)
		}
	})
}

// FuzzDistancesSymmetric checks that the distance pairs never include the
// diagonal or a NaN.
func FuzzDistancesSymmetric(f *testing.F) {
	f.Add([]byte(",a,b,c\na,0,1,2\nb,1,0,3\nc,2,3,0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, ds, err := parseDistances(context.Background(), data, "d.csv", layouts[TaskImage], &problems{log: discard()})
		if err != nil {
			return
		}
		for _, d := range ds {
			if d.DatasetA == d.DatasetB || math.IsNaN(d.Distance) {
				t.Fatalf("bad pair %+v", d)
			}
		}
	})
}
