package hub

// NextLink is nextLink for the external test package.
var NextLink = nextLink
