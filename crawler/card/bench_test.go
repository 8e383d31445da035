package card

import (
	"os"
	"path/filepath"
	"testing"
)

// loadSampleCards reads the 439 real cards of the sample.
func loadSampleCards(b *testing.B) (cards [][]byte, total int64) {
	b.Helper()
	dir, idx := loadSampleIndex(b)
	for _, f := range idx.Files {
		readme, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.File)))
		if err != nil {
			b.Fatal(err)
		}
		cards = append(cards, readme)
		total += int64(len(readme))
	}
	return cards, total
}

// BenchmarkParseRealCards parses the 439 real cards (mostly with a
// model-index; one 120 KB MTEB card with 1,391 results) per iteration and
// reports cards/s.
func BenchmarkParseRealCards(b *testing.B) {
	cards, total := loadSampleCards(b)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cards {
			_, _ = Parse(c, Options{})
		}
	}
	b.ReportMetric(float64(b.N*len(cards))/b.Elapsed().Seconds(), "cards/s")
}

// BenchmarkParseTypicalCard parses one Trainer-generated image
// classification card (about 2 KB, one accuracy).
func BenchmarkParseTypicalCard(b *testing.B) {
	readme, err := os.ReadFile(fixturePath(b, "cards", "real-model-index-sample", "image_classification",
		"XC_swin-tiny-patch4-window7-224-finetuned-eurosat_README.md"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(readme)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(readme, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSplit cuts the front matter of the 439 real cards.
func BenchmarkSplit(b *testing.B) {
	cards, total := loadSampleCards(b)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cards {
			Split(c)
		}
	}
}
