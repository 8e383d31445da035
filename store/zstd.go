package store

import (
	"sync"
	_ "unsafe" // for go:linkname

	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// Arrow v15 builds a new zstd encoder for every page it compresses
// (compress.zstdCodec.EncodeLevel calls zstd.NewWriter each time): some
// megabytes of match tables and history allocated and cleared per page,
// which was two thirds of the bytes allocated writing a table and a third
// of the time. v15 has no way to register a codec, so the store replaces
// the zstd entry of the codec registry when the package loads, with a
// codec that keeps one encoder per level for the life of the process
// (zstd.Encoder.EncodeAll is safe for concurrent use and keeps up to
// GOMAXPROCS encoder states). The output is the same zstd format; decoding
// stays with arrow's codec. If a future arrow drops the registry variable,
// the link fails at build time, and TestZstdCodecPooled fails if the entry
// is replaced back.
//
//go:linkname arrowCodecs github.com/apache/arrow/go/v15/parquet/compress.codecs
var arrowCodecs map[compress.Compression]compress.Codec

func init() {
	arrowCodecs[compress.Codecs.Zstd] = &pooledZstd{Codec: arrowCodecs[compress.Codecs.Zstd]}
}

// pooledZstd is arrow's zstd codec with encoders that are reused.
type pooledZstd struct {
	compress.Codec // decoding and the streaming writers

	mu   sync.Mutex
	encs map[zstd.EncoderLevel]*zstd.Encoder
}

func (z *pooledZstd) encoder(level int) *zstd.Encoder {
	l := zstd.SpeedDefault
	if level != compress.DefaultCompressionLevel {
		l = zstd.EncoderLevelFromZstd(level)
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if e := z.encs[l]; e != nil {
		return e
	}
	// The options arrow's own EncodeLevel uses.
	e, err := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(l))
	if err != nil {
		panic("store: zstd encoder: " + err.Error()) // only invalid options fail
	}
	if z.encs == nil {
		z.encs = make(map[zstd.EncoderLevel]*zstd.Encoder)
	}
	z.encs[l] = e
	return e
}

func (z *pooledZstd) Encode(dst, src []byte) []byte {
	return z.encoder(compress.DefaultCompressionLevel).EncodeAll(src, dst[:0])
}

func (z *pooledZstd) EncodeLevel(dst, src []byte, level int) []byte {
	return z.encoder(level).EncodeAll(src, dst[:0])
}
