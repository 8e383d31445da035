//go:build race

package crawler_test

// raceEnabled: the race detector slows Parquet encoding tenfold, so time
// limits stretch.
const raceEnabled = true
