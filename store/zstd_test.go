package store

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/apache/arrow/go/v15/parquet/compress"
)

// TestZstdCodecPooled checks that the store's zstd codec is the one arrow
// uses, that its output decodes with arrow's decoder at every level the
// writer may ask for, and that compressing a page no longer allocates an
// encoder: ten 1 MiB pages allocate well under one encoder's tables.
func TestZstdCodecPooled(t *testing.T) {
	c, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*pooledZstd); !ok {
		t.Fatalf("arrow's zstd codec is %T, want *pooledZstd", c)
	}
	src := bytes.Repeat([]byte("model_id,google/vit-base-patch16-224,0.8125;"), 1<<20/44)
	for _, level := range []int{compress.DefaultCompressionLevel, 1, 3, 9} {
		enc := c.EncodeLevel(nil, src, level)
		if len(enc) >= len(src) {
			t.Errorf("level %d: %d bytes compressed to %d", level, len(src), len(enc))
		}
		if got := c.Decode(make([]byte, len(src)), enc); !bytes.Equal(got, src) {
			t.Errorf("level %d: round trip differs", level)
		}
	}
	dst := make([]byte, 0, len(src))
	c.EncodeLevel(dst, src, compress.DefaultCompressionLevel) // warm
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 10; i++ {
		dst = c.EncodeLevel(dst, src, compress.DefaultCompressionLevel)
	}
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Errorf("10 pages allocated %d KiB; an encoder per page would be some MiB each", d>>10)
	}
}
