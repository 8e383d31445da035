package crawler

// SetStreaming turns the streamed tables of first crawls on or off, so a
// test can compare them with the merge; it returns the previous setting.
func SetStreaming(on bool) bool {
	old := streamTables
	streamTables = on
	return old
}
