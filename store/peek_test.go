package store

import (
	"errors"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPeek(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "scores.parquet")
	rows := []Score{
		{ModelID: "a", DatasetID: "d", Method: "logme", Score: 1.5, RuntimeSeconds: math.NaN(), Source: "s"},
		{ModelID: "b", DatasetID: "d", Method: "logme", Score: math.Inf(1), RuntimeSeconds: 2, Source: "s"},
		{ModelID: "c", DatasetID: "d", Method: "logme", Score: 0, RuntimeSeconds: 3, Source: "s"},
	}
	mustWrite(t, path, rows)
	tests := []struct {
		name  string
		limit int
		rows  [][]any
	}{
		{"two", 2, [][]any{{"a", "d", "logme", 1.5, nil, "s"}, {"b", "d", "logme", math.Inf(1), 2.0, "s"}}},
		{"more than there are", 10, [][]any{{"a", "d", "logme", 1.5, nil, "s"}, {"b", "d", "logme", math.Inf(1), 2.0, "s"}, {"c", "d", "logme", 0.0, 3.0, "s"}}},
		{"zero means one", 0, [][]any{{"a", "d", "logme", 1.5, nil, "s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Peek(path, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			want := &Preview{
				Table:     "scores",
				Columns:   []string{"model_id", "dataset_id", "method", "score", "runtime_seconds", "source"},
				Types:     []string{"utf8", "utf8", "utf8", "float64", "float64", "utf8"},
				Rows:      tt.rows,
				TotalRows: 3,
			}
			if diff := cmp.Diff(want, p); diff != "" {
				t.Errorf("Peek (-want +got):\n%s", diff)
			}
		})
	}

	// Lists and times.
	mpath := filepath.Join(dir, "models.parquet")
	when := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
	mustWrite(t, mpath, []Model{{ModelID: "m", CreatedAt: when, Tags: []string{"x", "y"}}})
	p, err := Peek(mpath, 1)
	if err != nil {
		t.Fatal(err)
	}
	row := p.Rows[0]
	if row[0] != "m" || row[1] != nil || !cmp.Equal(row[4], when) || !cmp.Equal(row[8], []string{"x", "y"}) || !cmp.Equal(row[13], []string{}) {
		t.Errorf("Peek models row = %v", row)
	}

	if _, err := Peek(filepath.Join(dir, "none.parquet"), 1); !errors.Is(err, ErrNoTable) {
		t.Errorf("Peek of a missing file: err = %v, want ErrNoTable", err)
	}
	empty := filepath.Join(dir, "empty.parquet")
	mustWrite(t, empty, []Card{})
	if p, err := Peek(empty, 5); err != nil || p.TotalRows != 0 || len(p.Rows) != 0 || len(p.Columns) != 6 {
		t.Errorf("Peek of an empty table = %+v, %v", p, err)
	}
}
