package main

// Temporary: keeps the project's planned modules in go.mod while the packages
// that use them are being written. Removed once every module has a real user.
import (
	_ "github.com/apache/arrow/go/v15/arrow/array"
	_ "github.com/apache/arrow/go/v15/arrow/memory"
	_ "github.com/apache/arrow/go/v15/parquet/compress"
	_ "github.com/apache/arrow/go/v15/parquet/file"
	_ "github.com/apache/arrow/go/v15/parquet/pqarrow"
	_ "github.com/go-resty/resty/v2"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/schollz/progressbar/v3"
	_ "go.yaml.in/yaml/v4"
	_ "golang.org/x/sync/errgroup"
	_ "golang.org/x/term"
	_ "golang.org/x/time/rate"
	_ "gonum.org/v1/gonum/mat"
	_ "gonum.org/v1/gonum/stat"
	_ "gonum.org/v1/plot"
	_ "gonum.org/v1/plot/plotter"
	_ "gonum.org/v1/plot/vg"
	_ "gonum.org/v1/plot/vg/draw"
)
