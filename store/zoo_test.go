package store

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// zooFiles lists the names in dir.
func zooFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteReadZoo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zoo") // created by WriteZoo
	want := sampleZoo(150, 7)
	before := time.Now().UTC()
	prov := Provenance{Source: "test", Command: "zoograph test", Detail: map[string]string{"k": "v"}}
	if err := WriteZoo(t.Context(), dir, want, prov); err != nil {
		t.Fatal(err)
	}
	got, m := mustReadZoo(t, dir)
	if diff := cmp.Diff(want, got, rowOpts...); diff != "" {
		t.Errorf("ReadZoo after WriteZoo (-want +got):\n%s", diff)
	}
	if m.SchemaVersion != SchemaVersion {
		t.Errorf("SchemaVersion = %d, want %d", m.SchemaVersion, SchemaVersion)
	}
	if m.CreatedAt.Before(before.Add(-time.Second)) || !m.UpdatedAt.Equal(m.CreatedAt) {
		t.Errorf("CreatedAt %v, UpdatedAt %v: want both the time of the write", m.CreatedAt, m.UpdatedAt)
	}
	wantTables := TableNames()[:8]
	if diff := cmp.Diff(wantTables, m.TableOrder()); diff != "" {
		t.Errorf("manifest tables (-want +got):\n%s", diff)
	}
	for name, info := range m.Tables {
		sum, size, err := hashFile(filepath.Join(dir, info.File))
		if err != nil {
			t.Fatal(err)
		}
		if info.File != name+".parquet" || info.Rows != 150 || info.SHA256 != sum || info.Bytes != size {
			t.Errorf("table %s: manifest %+v; file has sha256 %s, %d bytes; want %s.parquet, 150 rows", name, info, sum, size, name)
		}
	}
	if len(m.Provenance) != 1 || m.Provenance[0].Source != "test" || m.Provenance[0].Detail["k"] != "v" ||
		m.Provenance[0].At.IsZero() || len(m.Provenance[0].Tables) != 8 {
		t.Errorf("provenance = %+v, want the one entry written, with its time and 8 tables", m.Provenance)
	}
	// Only the tables and the manifest: no temporary files.
	wantFiles := []string{ManifestFile}
	for _, n := range wantTables {
		wantFiles = append(wantFiles, n+".parquet")
	}
	slices.Sort(wantFiles)
	if diff := cmp.Diff(wantFiles, zooFiles(t, dir)); diff != "" {
		t.Errorf("zoo files (-want +got):\n%s", diff)
	}
	checkVerify(t, dir)

	// ReadTable reads one table, projected.
	ids, err := ReadTable[Finetune](dir, "model_id")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 150 || ids[3].ModelID != want.Finetunes[3].ModelID || ids[3].DatasetID != "" {
		t.Errorf("ReadTable(model_id): %d rows, row 3 = %+v", len(ids), ids[3])
	}
}

func TestWriteZooUpdates(t *testing.T) {
	dir := t.TempDir()
	first := sampleZoo(40, 1)
	if err := WriteZoo(t.Context(), dir, first, Provenance{Source: "first"}); err != nil {
		t.Fatal(err)
	}
	m1, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Replace one table, add nothing else: the other tables are kept.
	second := &Tables{Finetunes: sampleFinetunes(99, 2), Scores: []Score{}}
	if err := WriteZoo(t.Context(), dir, second, Provenance{Source: "second", Command: "import"}); err != nil {
		t.Fatal(err)
	}
	got, m2 := mustReadZoo(t, dir)
	want := *first
	want.Finetunes = second.Finetunes
	want.Scores = []Score{}
	if diff := cmp.Diff(&want, got, rowOpts...); diff != "" {
		t.Errorf("ReadZoo after an update (-want +got):\n%s", diff)
	}
	if got.Scores == nil {
		t.Error("an empty table read back as nil, want an empty slice")
	}
	if !m2.CreatedAt.Equal(m1.CreatedAt) || m2.UpdatedAt.Before(m1.UpdatedAt) {
		t.Errorf("CreatedAt %v -> %v, UpdatedAt %v -> %v: want CreatedAt kept", m1.CreatedAt, m2.CreatedAt, m1.UpdatedAt, m2.UpdatedAt)
	}
	var sources []string
	for _, p := range m2.Provenance {
		sources = append(sources, p.Source)
	}
	if diff := cmp.Diff([]string{"first", "second"}, sources); diff != "" {
		t.Errorf("provenance sources (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"finetunes", "scores"}, m2.Provenance[1].Tables); diff != "" {
		t.Errorf("tables of the second write (-want +got):\n%s", diff)
	}
	if m2.Tables["models"] != m1.Tables["models"] {
		t.Errorf("models entry changed: %+v -> %+v", m1.Tables["models"], m2.Tables["models"])
	}
	if m1.Checksum() == m2.Checksum() {
		t.Error("Checksum did not change with the content")
	}
	if n := len(zooFiles(t, dir)); n != 9 {
		t.Errorf("zoo holds %d files after an update, want 9: %v", n, zooFiles(t, dir))
	}
}

func TestChecksum(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	z := sampleZoo(30, 3)
	// Same content written in two steps with other provenance: same checksum.
	if err := WriteZoo(t.Context(), a, z, Provenance{Source: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := WriteZoo(t.Context(), b, &Tables{Models: z.Models}, Provenance{Source: "b1"}); err != nil {
		t.Fatal(err)
	}
	rest := *z
	rest.Models = nil
	if err := WriteZoo(t.Context(), b, &rest, Provenance{Source: "b2"}); err != nil {
		t.Fatal(err)
	}
	ma, _ := ReadManifest(a)
	mb, _ := ReadManifest(b)
	if ma.Checksum() != mb.Checksum() || len(ma.Checksum()) != 64 {
		t.Errorf("checksums %q and %q, want equal 64-digit hex", ma.Checksum(), mb.Checksum())
	}
	if (*Manifest)(nil).Checksum() != "" {
		t.Error("nil manifest checksum not empty")
	}
}

func TestVerifyAndReadZooDetectChanges(t *testing.T) {
	tests := []struct {
		name   string
		damage func(path string) error
		want   string
	}{
		{"byte flipped", func(p string) error {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			data[len(data)/2] ^= 1
			return os.WriteFile(p, data, 0o644)
		}, "sha256"},
		{"truncated", func(p string) error { return os.Truncate(p, 100) }, "bytes"},
		{"removed", os.Remove, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteZoo(t.Context(), dir, sampleZoo(50, 1), Provenance{Source: "test"}); err != nil {
				t.Fatal(err)
			}
			if err := tt.damage(filepath.Join(dir, "evals.parquet")); err != nil {
				t.Fatal(err)
			}
			checks, err := Verify(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range checks {
				switch {
				case c.Table == "evals" && (c.Err == nil || !strings.Contains(c.Err.Error(), tt.want)):
					t.Errorf("Verify evals: err = %v, want one about %s", c.Err, tt.want)
				case c.Table != "evals" && c.Err != nil:
					t.Errorf("Verify %s: %v", c.Table, c.Err)
				}
			}
			if tt.name == "byte flipped" {
				return // same size: ReadZoo does not hash; the decoder may or may not notice
			}
			if _, _, err := ReadZoo(dir); err == nil || !strings.Contains(err.Error(), "evals.parquet") {
				t.Errorf("ReadZoo of a damaged zoo: err = %v, want one naming evals.parquet", err)
			}
		})
	}
}

func TestReadManifestRejects(t *testing.T) {
	sha := strings.Repeat("a", 64)
	tests := []struct {
		name, json, want string
	}{
		{"not json", "{", "manifest.json"},
		{"future version", `{"schema_version": 99, "tables": {}}`, "newer"},
		{"no version", `{"tables": {}}`, "schema_version 0"},
		{"path escape", `{"schema_version": 1, "tables": {"models": {"file": "../x.parquet", "sha256": "` + sha + `"}}}`, "not a file name"},
		{"bad sha", `{"schema_version": 1, "tables": {"models": {"file": "models.parquet", "sha256": "x"}}}`, "sha256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(tt.json), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadManifest(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadManifest: err = %v, want one containing %q", err, tt.want)
			}
			// A writer must not clobber a manifest it cannot read.
			if werr := WriteZoo(t.Context(), dir, &Tables{Scores: sampleScores(2, 1)}, Provenance{}); werr == nil {
				t.Error("WriteZoo over an unreadable manifest: err = nil")
			}
			if data, _ := os.ReadFile(filepath.Join(dir, ManifestFile)); string(data) != tt.json {
				t.Error("WriteZoo changed an unreadable manifest")
			}
		})
	}
}

func TestManifestJSON(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := WriteZoo(t.Context(), dir, &Tables{Datasets: sampleDatasets(3, 1)}, Provenance{Source: "s", Command: "c", At: at}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"schema_version", "created_at", "updated_at", "provenance", "tables"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("manifest.json lacks key %q:\n%s", key, data)
		}
	}
	ds := raw["tables"].(map[string]any)["datasets"].(map[string]any)
	for _, key := range []string{"file", "rows", "bytes", "sha256", "written_at"} {
		if _, ok := ds[key]; !ok {
			t.Errorf("tables.datasets lacks key %q", key)
		}
	}
	p := raw["provenance"].([]any)[0].(map[string]any)
	if p["at"] != "2025-01-02T03:04:05Z" || p["command"] != "c" {
		t.Errorf("provenance = %v, want at 2025-01-02T03:04:05Z and command c", p)
	}
}

func TestWriteZooSweepsLeftovers(t *testing.T) {
	dir := t.TempDir()
	if err := WriteZoo(t.Context(), dir, &Tables{Models: sampleModels(5, 1)}, Provenance{}); err != nil {
		t.Fatal(err)
	}
	leftovers := []string{".models.parquet.tmp-123", "models.prev-abcdef.parquet", ".manifest.json.tmp-9"}
	keep := []string{"notes.txt", "models.backup.parquet"}
	for _, n := range append(slices.Clone(leftovers), keep...) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteZoo(t.Context(), dir, &Tables{Scores: sampleScores(5, 1)}, Provenance{}); err != nil {
		t.Fatal(err)
	}
	files := zooFiles(t, dir)
	for _, n := range leftovers {
		if slices.Contains(files, n) {
			t.Errorf("leftover %s not swept", n)
		}
	}
	for _, n := range keep {
		if !slices.Contains(files, n) {
			t.Errorf("foreign file %s removed", n)
		}
	}
}

// TestReadZooDuringWrites reads a zoo while another goroutine rewrites it:
// every read that succeeds must see one version whole.
func TestReadZooDuringWrites(t *testing.T) {
	dir := t.TempDir()
	version := func(v int) *Tables {
		return &Tables{Models: sampleModels(20+v, uint64(v)), Finetunes: sampleFinetunes(100+v, uint64(v))}
	}
	prov := func(v int) Provenance { return Provenance{Detail: map[string]string{"v": strconv.Itoa(v)}} }
	if err := WriteZoo(t.Context(), dir, version(0), prov(0)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		for v := 1; v <= 8; v++ {
			if err := WriteZoo(t.Context(), dir, version(v), prov(v)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	reads, failures := 0, 0
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		default:
		}
		got, m, err := ReadZoo(dir)
		if err != nil {
			failures++
			continue
		}
		reads++
		v, _ := strconv.Atoi(m.Provenance[len(m.Provenance)-1].Detail["v"])
		if len(got.Models) != 20+v || len(got.Finetunes) != 100+v {
			t.Errorf("read version %d with %d models and %d finetunes: a mix of versions", v, len(got.Models), len(got.Finetunes))
		}
	}
	t.Logf("%d consistent reads, %d failed reads during 8 writes", reads, failures)
	if reads == 0 {
		t.Error("no read succeeded")
	}
}

// checkVerify runs Verify on the zoo in dir and reports every table that
// fails it.
func checkVerify(t testing.TB, dir string) {
	t.Helper()
	checks, err := Verify(dir)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	for _, c := range checks {
		if c.Err != nil {
			t.Errorf("Verify %s: %v", c.Table, c.Err)
		}
	}
}

// mustReadZoo reads the zoo in dir, failing t if it cannot.
func mustReadZoo(t testing.TB, dir string) (*Tables, *Manifest) {
	t.Helper()
	tables, m, err := ReadZoo(dir)
	if err != nil {
		t.Fatalf("ReadZoo: %v", err)
	}
	return tables, m
}

func TestIsZooFile(t *testing.T) {
	for name, want := range map[string]bool{
		ManifestFile:                true,
		"models.parquet":            true,
		"dataset_distances.parquet": true,
		".models.parquet.tmp-1a2b":  true, // a killed write's temporary file
		"models.prev-1a2b.parquet":  true, // a killed commit's backup
		"notes.txt":                 false,
		"my-models.parquet":         false,
		"models.parquet.bak":        false,
		".crawl":                    false, // the crawler's, not the store's
	} {
		if got := IsZooFile(name); got != want {
			t.Errorf("IsZooFile(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestNearestDatasetID checks the dataset a mistyped target name is taken for:
// one spelling away, under another owner or none, or a typo away, when
// that is a single dataset.
func TestNearestDatasetID(t *testing.T) {
	ids := []string{"glue/sst2", "dtd", "cifar10", "cifar100", "rotten_tomatoes", "tweet_ev_hate", "tweet_ev_irony",
		"uoft-cs/cifar10", "ethz/food101", "tanganke/stanford_cars", "a/beans", "b/beans"}
	for _, c := range []struct{ name, want string }{
		{"glue_sst2", "glue/sst2"},
		{"food101", "ethz/food101"}, // a crawl's Hub id, owner left out
		{"Stanford-Cars", "tanganke/stanford_cars"},
		{"someone/food101", "ethz/food101"},
		{"huggingface/dtd", "dtd"},
		{"beans", ""},              // a/beans and b/beans alike
		{"food10", "ethz/food101"}, // a typo of the repo name
		{"DTD", "dtd"},
		{"dtdd", "dtd"},
		{"rotten-tomatoes", "rotten_tomatoes"},
		{"roten_tomatos", "rotten_tomatoes"},
		{"cifar1000", "cifar100"},
		{"cifar10x", ""}, // cifar10, cifar100 and uoft-cs/cifar10 one typo away alike
		{"tweet_ev_hat", "tweet_ev_hate"},
		{"tweet_ev_xxxx", ""}, // more than two typos
		{"imagenet", ""},
		{"ab", ""},
	} {
		if got := NearestDatasetID(c.name, ids); got != c.want {
			t.Errorf("NearestDatasetID(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}
