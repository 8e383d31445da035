// Package store defines zoograph's tables — typed Go rows, their Arrow
// schemas and their Parquet files — and the zoo directory that holds them.
//
// # Tables
//
// Each row type of tables.go (Model, Dataset, Card, Eval, Finetune, Score,
// DatasetDistance, ReferenceResult, Prediction, Metric) is one table, named
// by TableName. Its columns are the snake_case names of its fields, in field
// order (model_id, hub_oid, downloads_all_time, dataset_a, ...), with
// Parquet's own types: STRING, INT64, DOUBLE, BOOLEAN, TIMESTAMP(MICROS,
// UTC) and LIST of STRING. Columns that cannot be null are declared
// required; the Go zero values that stand for null in the others are listed
// at the top of tables.go. Files are zstd-compressed (WriteOptions trade
// size for speed in temporary files), in row groups of at most 64K rows,
// and carry the Arrow schema and the table's name in their metadata, so
// any standard reader (DuckDB, pandas/pyarrow, Spark, polars) reads them
// without help, and so that reading one table's file as another
// is an error, not garbage.
//
// Rows move between Go and Arrow one column at a time, through per-table
// column code (schemas.go), without reflection.
//
// # Files
//
// WriteFile and ReadFile move a whole table; Writer and Scan stream one in
// batches. Reads may select columns. Errors name the file and what was
// expected: a missing file wraps ErrNoTable, a file of the wrong shape is a
// *SchemaError, a damaged file an error (never a panic).
//
// # Zoos
//
// A zoo directory holds one TABLE.parquet file per table and manifest.json:
// schema version, creation and update times, the provenance of every write,
// and each table's file, row count, size and SHA-256 (Manifest). WriteZoo,
// MergeZoo, MergeParts, ReadZoo, ReadTable and Verify work on zoos.
// WriteZoo replaces whole tables; MergeZoo, what importers use, replaces
// only the rows of one source and keeps the rest: every table an import
// writes has a source column (scores and dataset_distances since schema
// version 2; SchemaVersion says how older zoos read). MergeParts folds part
// files into a table by key, the newest row winning, with the rows of
// dependent tables following theirs: a crawler writes parts as it goes and
// leaves the merge, and its crash safety, to store. Writes are atomic
// and crash-safe: each file is written under a temporary name in the same
// directory, synced, and renamed; the previous version of a replaced table
// stays reachable from the manifest until the new manifest, written last,
// replaces it. A process killed at any point leaves the previous or the new
// zoo, complete, never a torn table. Writers of one zoo, in one process or several,
// take turns (a lock on the directory, where the system has flock); each
// takes a context, and one waiting for its turn ends when the context is
// done, leaving the zoo as it was; WithLockWait lets a command hear that
// a write waits for another, to tell its user.
//
// store imports nothing of zoograph's; it knows nothing of the Hub, of
// graphs or of experiments, and it does not log.
package store
