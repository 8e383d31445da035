package card

import (
	"math"
	"testing"
)

// TestResolvePlain compares the resolution of plain scalars with what
// PyYAML 6.0.3's safe_load gives for "k: <scalar>" (recorded by running it).
func TestResolvePlain(t *testing.T) {
	inf := math.Inf(1)
	nan := math.NaN()
	tests := []struct {
		in   string
		kind string // null, str, bool, int, float or err
		num  float64
	}{
		{"0.90", "float", 0.9},
		{"1e5", "str", 0},
		{"1.0e5", "str", 0},
		{"1.0e+5", "float", 100000},
		{"1.e-3", "float", 0.001},
		{".5", "float", 0.5},
		{"-.5", "str", 0},
		{"+.5", "str", 0},
		{"012", "int", 10},
		{"08", "str", 0},
		{"0o17", "str", 0},
		{"0x1F", "int", 31},
		{"0x_", "err", 0},
		{"0b101", "int", 5},
		{"0b", "str", 0},
		{"1_000", "int", 1000},
		{"1_0.5", "float", 10.5},
		{"1:30", "int", 90},
		{"1:30.5", "float", 90.5},
		{"-1:30", "int", -90},
		{"190:20:30", "int", 685230},
		{".nan", "float", nan},
		{".NaN", "float", nan},
		{"-.inf", "float", -inf},
		{"+.INF", "float", inf},
		{".inf", "float", inf},
		{"inf", "str", 0},
		{"NaN", "str", 0},
		{"yes", "bool", 1},
		{"Yes", "bool", 1},
		{"yEs", "str", 0},
		{"no", "bool", 0},
		{"on", "bool", 1},
		{"OFF", "bool", 0},
		{"y", "str", 0},
		{"n", "str", 0},
		{"true", "bool", 1},
		{"~", "null", 0},
		{"null", "null", 0},
		{"NULL", "null", 0},
		{"Null", "null", 0},
		{"nULL", "str", 0},
		{"", "null", 0},
		{"2023-05-01", "str", 0},
		{"2023-5-1", "str", 0},
		{"2023-02-30", "err", 0},
		{"2023-02-29", "err", 0},
		{"2024-02-29", "str", 0},
		{"2001-12-14t21:59:43.10-05:00", "str", 0},
		{"2001-12-14 21:59:43.10 +24", "err", 0},
		{"2001-12-14 25:00:00", "err", 0},
		{"0000-01-01", "err", 0},
		{"+0", "int", 0},
		{"-0", "int", 0},
		{"00", "int", 0},
		{"0_", "int", 0},
		{"1__2", "int", 12},
		{"+", "str", 0},
		{".", "str", 0},
		{"1.", "float", 1},
		{"1:60", "str", 0},
		{"1:59", "int", 119},
		{"12:5", "int", 725},
		{"1e", "str", 0},
		{"250.52 +/- 20.12", "str", 0},
		{"72%", "str", 0},
		{"0,857", "str", 0},
		{"=", "err", 0},
		{"<<", "err", 0},
		{"18446744073709551616", "int", 18446744073709551616},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := resolvePlain(tt.in)
			got := "str"
			var num float64
			switch v := v.(type) {
			case nil:
				got = "null"
			case scalar:
				got = map[scalarKind]string{kindBool: "bool", kindInt: "int", kindFloat: "float"}[v.kind]
				num = v.num
				if v.text != tt.in {
					t.Errorf("resolvePlain(%q) text = %q, want it unchanged", tt.in, v.text)
				}
			case string:
				if v != tt.in {
					t.Errorf("resolvePlain(%q) = %q, want it unchanged", tt.in, v)
				}
			}
			if err != nil {
				got = "err"
			}
			if got != tt.kind {
				t.Fatalf("resolvePlain(%q) is %s (err %v), want %s", tt.in, got, err, tt.kind)
			}
			if (got == "int" || got == "float" || got == "bool") && !(num == tt.num || math.IsNaN(num) && math.IsNaN(tt.num)) {
				t.Errorf("resolvePlain(%q) = %v, want %v", tt.in, num, tt.num)
			}
		})
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64 // NaN: not a number
	}{
		{"92.1", 92.1},
		{" 1e-3 ", 0.001},
		{"-4", -4},
		{"+.5", 0.5},
		{"1", 1},
		{"72%", math.NaN()},
		{"0,857", math.NaN()},
		{"250.52 +/- 20.12", math.NaN()},
		{"NA", math.NaN()},
		{"nan", math.NaN()},
		{"inf", math.NaN()},
		{"0x1p-2", math.NaN()},
		{"1_000", math.NaN()},
		{"", math.NaN()},
		{"1e999", math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := parseNumber(tt.in)
			if !(got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want)) {
				t.Errorf("parseNumber(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
