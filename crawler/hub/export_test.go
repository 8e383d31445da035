package hub

// NextLink is nextLink for the external test package.
var NextLink = nextLink

// CutArray is cutArray for the external test package.
var CutArray = cutArray
