package card

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

func TestZZDiff(t *testing.T) {
	p := os.Getenv("DIFF_CASES")
	if p == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(p)
	var cases []struct {
		Src  string
		Want struct {
			OK      bool
			Why     string
			Rows    *[]struct{ Task_type, Metric_type *string; Num *float64 }
			License *string
		}
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, c := range cases {
		md, err := ParseFrontMatter([]byte(c.Src), Options{})
		if (err == nil) != c.Want.OK {
			bad++
			if bad < 15 {
				t.Errorf("case %d: err=%v, want ok=%v (%s)\n%q", i, err, c.Want.OK, c.Want.Why, c.Src)
			}
			continue
		}
		if err != nil {
			continue
		}
		if c.Want.Rows == nil {
			if md.ModelIndex != nil {
				bad++
				t.Errorf("case %d: rows non-nil want nil", i)
			}
			continue
		}
		if len(md.ModelIndex) != len(*c.Want.Rows) {
			bad++
			t.Errorf("case %d: %d rows want %d\n%q", i, len(md.ModelIndex), len(*c.Want.Rows), c.Src)
			continue
		}
		for j, w := range *c.Want.Rows {
			g := md.ModelIndex[j]
			if w.Task_type != nil && *w.Task_type != "<nonstr>" && *w.Task_type != g.TaskType {
				t.Errorf("case %d row %d task %q want %q", i, j, g.TaskType, *w.Task_type)
			}
			if w.Num != nil && g.Value != *w.Num && !(math.IsNaN(g.Value) && math.IsNaN(*w.Num)) {
				t.Errorf("case %d row %d value %v want %v (%q)", i, j, g.Value, *w.Num, g.ValueRaw)
			}
		}
	}
	t.Logf("%d cases, %d disagreements", len(cases), bad)
}
