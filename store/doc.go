// Package store defines zoograph's tables — typed Go rows, their Arrow
// schemas and their Parquet files — and the zoo directory that holds them.
//
// A zoo directory has one Parquet file per table and a manifest.json. Every
// write is atomic (temporary file in the same directory, fsync, rename; the
// manifest last), so a crash never leaves a torn table and never destroys the
// previous version. Any standard Parquet reader (DuckDB, pandas/pyarrow,
// Spark, polars) reads every table without help.
//
// store imports nothing of zoograph's; it knows nothing of the Hub or of
// graphs.
package store
