package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestSummarize checks the zoo summary against the manifest it comes from,
// and that verification reports a changed table file in its summary.
func TestSummarize(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zoo")
	if err := WriteZoo(t.Context(), dir, sampleZoo(40, 3), Provenance{Source: "test"}); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Summarize(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Dir != dir || s.Checksum != m.Checksum() || s.SchemaVersion != SchemaVersion || len(s.Provenance) != 1 {
		t.Errorf("summary %+v, manifest %+v", s, m)
	}
	if len(s.Tables) != len(m.Tables) || s.Tables[0].Name != m.TableOrder()[0] {
		t.Errorf("tables %+v, want the manifest's %v in its order", s.Tables, m.TableOrder())
	}
	for _, tb := range s.Tables {
		if tb.Rows != 40 || tb.Verified != nil || tb.SHA256 != m.Tables[tb.Name].SHA256 {
			t.Errorf("table %+v: want 40 rows, the manifest's checksum, not verified", tb)
		}
	}
	if got := s.Rows("models"); got != 40 {
		t.Errorf("Rows(models) = %d, want 40", got)
	}
	if got := s.Rows("no-such-table"); got != 0 {
		t.Errorf("Rows(no-such-table) = %d, want 0", got)
	}

	if s, err = Summarize(dir, true); err != nil || s.Failed() != 0 {
		t.Fatalf("verify an untouched zoo: %v, %d failed", err, s.Failed())
	}
	path := filepath.Join(dir, m.Tables["models"].File)
	if err := os.WriteFile(path, []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err = Summarize(dir, true); err != nil {
		t.Fatal(err)
	}
	for _, tb := range s.Tables {
		if bad := tb.Name == "models"; tb.Verified == nil || *tb.Verified == bad || (tb.Problem != "") != bad {
			t.Errorf("table %s after changing models: verified %v, problem %q", tb.Name, tb.Verified, tb.Problem)
		}
	}
	if s.Failed() != 1 {
		t.Errorf("Failed() = %d, want 1", s.Failed())
	}

	if _, err := Summarize(t.TempDir(), false); !errors.Is(err, ErrNotZoo) {
		t.Errorf("an empty directory: %v, want ErrNotZoo", err)
	}
}
