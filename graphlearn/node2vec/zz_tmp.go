package node2vec
var noPrefetchTmp bool
