package recycling

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/store"
)

// FuzzParseModels checks that the parser never panics, that every problem
// names a file, a line, a kind and — for a cell — its column, that every
// kept value is in range, and that strict mode fails exactly when default
// mode reports a problem.
func FuzzParseModels(f *testing.F) {
	head := strings.Join(FixedColumns, ",") + ",sst2,stsb\n"
	f.Add([]byte(head + "a/m,roberta-base,1,a/m,roberta,True,12,False,False,2022-08-04T10:36:41Z,0.5,0.9,-0.2\n"))
	f.Add([]byte(head + "a/m,,x,,,maybe,1.5,,,yesterday,2,nan,\"q\nq\"\na/m\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parse := func(strict bool) (*store.Tables, *problems, error) {
			tb := &store.Tables{}
			ps := &problems{strict: strict, log: slog.New(slog.DiscardHandler)}
			err := parseModels(context.Background(), data, map[string]bool{"stsb": true}, tb, &Report{Counts: map[string]int{}}, ps)
			return tb, ps, err
		}
		tb, ps, err := parse(false)
		if err != nil {
			return // a header error: no rows are read
		}
		for _, p := range ps.list {
			if p.File != FileModels || p.Line < 1 || p.Kind == "" || !strings.HasPrefix(p.Reason, p.Kind+": ") ||
				(p.Column > 0) != (p.ColumnName != "") {
				t.Fatalf("ill-formed problem %+v", p)
			}
		}
		for _, ft := range tb.Finetunes {
			lo := 0.0
			if ft.DatasetID == "stsb" {
				lo = -1
			}
			if !(ft.Accuracy >= lo && ft.Accuracy <= 1) {
				t.Fatalf("kept %+v", ft)
			}
		}
		_, _, err = parse(true)
		if (err != nil) != (len(ps.list) > 0) {
			t.Fatalf("strict error %v, but default mode reported %d problems", err, len(ps.list))
		}
	})
}
