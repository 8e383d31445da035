package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// ManifestFile is the name of the manifest in a zoo directory.
const ManifestFile = "manifest.json"

// ErrNotZoo reports a directory that exists but holds no manifest.json.
var ErrNotZoo = errors.New("not a zoo")

// Tables holds the tables of a zoo. A nil slice is a table that is absent
// (ReadZoo) or left as it is (WriteZoo); an empty non-nil slice is a table
// with no rows.
type Tables struct {
	Models           []Model
	Datasets         []Dataset
	Cards            []Card
	Evals            []Eval
	Finetunes        []Finetune
	Scores           []Score
	DatasetDistances []DatasetDistance
	ReferenceResults []ReferenceResult
}

// Provenance records one write to a zoo: what produced the data.
type Provenance struct {
	Source  string            `json:"source"`           // e.g. "hub", "transfergraph/image_classification"
	Command string            `json:"command"`          // e.g. "zoograph import transfergraph ..."
	Detail  map[string]string `json:"detail,omitempty"` // free-form: URL, commit, filters, counts
	At      time.Time         `json:"at"`               // when; WriteZoo sets it to now when zero
	Tables  []string          `json:"tables,omitempty"` // the tables written; set by WriteZoo and MergeParts
}

// Manifest is the content of a zoo's manifest.json.
type Manifest struct {
	SchemaVersion int                  `json:"schema_version"`
	CreatedAt     time.Time            `json:"created_at"`
	UpdatedAt     time.Time            `json:"updated_at"`
	Provenance    []Provenance         `json:"provenance"` // oldest first
	Tables        map[string]TableInfo `json:"tables"`
}

// TableInfo describes one table file of a zoo.
type TableInfo struct {
	File      string    `json:"file"` // base name in the zoo directory, normally TABLE.parquet
	Rows      int64     `json:"rows"`
	Bytes     int64     `json:"bytes"`
	SHA256    string    `json:"sha256"` // hex SHA-256 of the file
	WrittenAt time.Time `json:"written_at"`
}

// Checksum returns a digest of the zoo's content: the schema version and, for
// every table, its name, row count and file SHA-256. It ignores times,
// provenance and file names, so it is the same for the same data however it
// got there. Run configs record it to pin the zoo they ran on.
func (m *Manifest) Checksum() string {
	if m == nil {
		return ""
	}
	names := make([]string, 0, len(m.Tables))
	for name := range m.Tables {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	fmt.Fprintf(h, "zoograph zoo schema %d\n", m.SchemaVersion)
	for _, name := range names {
		t := m.Tables[name]
		fmt.Fprintf(h, "%s %d %s\n", name, t.Rows, t.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (m *Manifest) clone() *Manifest {
	c := *m
	c.Provenance = slices.Clone(m.Provenance)
	c.Tables = make(map[string]TableInfo, len(m.Tables))
	for k, v := range m.Tables {
		c.Tables[k] = v
	}
	return &c
}

// missingZooError is a zoo directory that does not exist: not a zoo, and
// no table of it (errors.Is matches ErrNotZoo, ErrNoTable and
// fs.ErrNotExist).
type missingZooError string

func (e missingZooError) Error() string {
	return fmt.Sprintf("store: read zoo %s: the directory does not exist", string(e))
}

func (e missingZooError) Is(target error) bool {
	return target == ErrNotZoo || target == ErrNoTable || target == fs.ErrNotExist
}

// ReadManifest reads and checks dir's manifest.json. A missing directory
// yields an error wrapping ErrNoTable and ErrNotZoo; a directory without a
// manifest, ErrNotZoo.
func ReadManifest(dir string) (*Manifest, error) {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, missingZooError(dir)
	case err != nil:
		return nil, fmt.Errorf("store: read zoo: %w", err)
	case !st.IsDir():
		return nil, fmt.Errorf("store: read zoo %s: %w: not a directory", dir, ErrNotZoo)
	}
	path := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store: read zoo %s: %w: no %s", dir, ErrNotZoo, ManifestFile)
	}
	if err != nil {
		return nil, fmt.Errorf("store: read zoo: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("store: read %s: %w", path, err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("store: read %s: %w", path, err)
	}
	return &m, nil
}

func (m *Manifest) check() error {
	if m.SchemaVersion < 1 {
		return fmt.Errorf("schema_version %d: want 1 to %d", m.SchemaVersion, SchemaVersion)
	}
	if m.SchemaVersion > SchemaVersion {
		return fmt.Errorf("schema_version %d is newer than this zoograph's (%d): upgrade zoograph", m.SchemaVersion, SchemaVersion)
	}
	if m.Tables == nil {
		m.Tables = map[string]TableInfo{}
	}
	for name, t := range m.Tables {
		if t.File == "" || t.File != filepath.Base(t.File) || t.File == ".." || strings.ContainsAny(t.File, `/\`) {
			return fmt.Errorf("table %s: file %q is not a file name in the zoo directory", name, t.File)
		}
		if t.Rows < 0 || t.Bytes < 0 {
			return fmt.Errorf("table %s: negative rows or bytes", name)
		}
		if len(t.SHA256) != 64 {
			return fmt.Errorf("table %s: sha256 %q is not 64 hex digits", name, t.SHA256)
		}
	}
	return nil
}

func writeManifest(dir string, m *Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("store: encode manifest: %w", err)
	}
	data = append(data, '\n')
	if err := WriteFileAtomic(filepath.Join(dir, ManifestFile), data); err != nil {
		return fmt.Errorf("store: write manifest of zoo %s: %w", dir, err)
	}
	return nil
}

// WriteZoo writes every non-nil table of t into the zoo directory dir,
// creating dir if missing, and appends prov to the manifest. Tables already
// in the zoo but nil in t are kept; the others are replaced whole, rows of
// every source alike (MergeZoo replaces only one source's rows).
//
// The write is atomic as a whole: each table goes to a synced temporary file
// first; the previous version of each table it replaces is kept under
// another name and the manifest is pointed at it; then the new files are
// renamed into place and manifest.json is replaced last. Killed at any
// point, the zoo reads back as its previous or its new state, each with
// matching checksums; leftovers are swept by the next write. Concurrent
// writers of one zoo (WriteZoo, MergeZoo, MergeParts, in this process or
// another) wait for each other, on systems with flock; a write waiting for
// its turn ends when ctx is done, with an error that says so and the zoo
// untouched.
func WriteZoo(ctx context.Context, dir string, t *Tables, prov Provenance) error {
	return writeZoo(ctx, dir, t, prov, defaultIO)
}

func writeZoo(ctx context.Context, dir string, t *Tables, prov Provenance, cfg ioConfig) error {
	if t == nil {
		t = &Tables{}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("store: write zoo: %w", err)
	}
	unlock, err := lockWrites(ctx, dir)
	if err != nil {
		return err
	}
	defer unlock()
	// Refuse early, before writing large files, when dir holds a manifest
	// this version cannot read.
	if _, err := ReadManifest(dir); err != nil && !errors.Is(err, ErrNotZoo) {
		return err
	}
	var sts []staged
	fail := func(err error) error {
		for _, st := range sts {
			os.Remove(st.tmp)
		}
		return err
	}
	for _, step := range []func() error{
		func() error { return stageTable(dir, t.Models, cfg, &sts) },
		func() error { return stageTable(dir, t.Datasets, cfg, &sts) },
		func() error { return stageTable(dir, t.Cards, cfg, &sts) },
		func() error { return stageTable(dir, t.Evals, cfg, &sts) },
		func() error { return stageTable(dir, t.Finetunes, cfg, &sts) },
		func() error { return stageTable(dir, t.Scores, cfg, &sts) },
		func() error { return stageTable(dir, t.DatasetDistances, cfg, &sts) },
		func() error { return stageTable(dir, t.ReferenceResults, cfg, &sts) },
	} {
		if err = step(); err != nil {
			return fail(err)
		}
	}
	return commit(dir, sts, prov, cfg.hook)
}

func stageTable[T Row](dir string, rows []T, cfg ioConfig, sts *[]staged) error {
	if rows == nil {
		return nil
	}
	st, err := stage(dir, TableName[T]()+".parquet", rows, cfg)
	if err != nil {
		return err
	}
	*sts = append(*sts, st)
	return nil
}

// backupInfix marks the name under which a commit keeps the previous version
// of a table it replaces: TABLE.prev-RANDOM.parquet.
const backupInfix = ".prev-"

func isBackup(name string) bool {
	return strings.Contains(name, backupInfix) && strings.HasSuffix(name, ".parquet")
}

// IsZooFile reports whether a file name in a zoo directory is one a zoo
// write makes: the manifest, a table file, or the temporary or backup file
// of a write that was killed (the next write sweeps those). A directory
// holding only such files is a zoo, or one whose first write was killed
// before its manifest, and a write may go on in it; any other file is
// someone else's.
func IsZooFile(name string) bool {
	if name == ManifestFile || isTemp(name) || isBackup(name) {
		return true
	}
	table, ok := strings.CutSuffix(name, ".parquet")
	return ok && slices.Contains(TableNames(), table)
}

// commit moves the staged table files into the zoo dir and records them and
// prov in the manifest. Whatever step it is killed at, manifest.json
// describes files that are complete and unchanged: first the old names, then
// (while renames overwrite them) hard links to the old versions, then the
// new files. hook, when not nil, is called at each step (tests kill the
// process between any two of them).
func commit(dir string, sts []staged, prov Provenance, hook func(step string)) error {
	if hook == nil {
		hook = func(string) {}
	}
	fail := func(err error) error {
		for _, st := range sts {
			os.Remove(st.tmp)
		}
		return err
	}
	hook("staged")
	old, err := ReadManifest(dir)
	fresh := errors.Is(err, ErrNotZoo)
	if err != nil && !fresh {
		return fail(err)
	}
	now := time.Now().UTC()
	if fresh {
		old = &Manifest{SchemaVersion: SchemaVersion, CreatedAt: now, UpdatedAt: now, Tables: map[string]TableInfo{}}
	}

	// 1. Keep every previous version that a rename would overwrite under a
	// second name, and point an interim manifest at it.
	mid := old.clone()
	var backups []string
	for _, st := range sts {
		final := st.table + ".parquet"
		info, ok := old.Tables[st.table]
		if fresh || !ok || info.File != final {
			continue
		}
		backup := st.table + backupInfix + randomHex() + ".parquet"
		if err := linkOrCopy(filepath.Join(dir, final), filepath.Join(dir, backup)); err != nil {
			for _, b := range backups {
				os.Remove(filepath.Join(dir, b))
			}
			return fail(fmt.Errorf("store: write zoo %s: keep previous %s: %w", dir, final, err))
		}
		backups = append(backups, backup)
		info.File = backup
		mid.Tables[st.table] = info
	}
	if len(backups) > 0 {
		if err := syncDir(dir); err != nil {
			return fail(fmt.Errorf("store: write zoo %s: %w", dir, err))
		}
		if err := writeManifest(dir, mid); err != nil {
			return fail(err)
		}
	}
	hook("kept")

	// 2. Rename the new files into place.
	m := mid.clone()
	m.SchemaVersion = SchemaVersion
	for i, st := range sts {
		final := st.table + ".parquet"
		if err := os.Rename(st.tmp, filepath.Join(dir, final)); err != nil {
			return fail(fmt.Errorf("store: write zoo %s: %w", dir, err))
		}
		sts[i].tmp = "" // nothing left to remove on failure
		info := st.info
		info.File = final
		info.WrittenAt = now
		m.Tables[st.table] = info
		hook("renamed " + st.table)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("store: write zoo %s: %w", dir, err)
	}

	// 3. Replace the manifest: the commit point.
	if prov.At.IsZero() {
		prov.At = now
	}
	prov.At = prov.At.UTC()
	prov.Tables = nil
	for _, st := range sts {
		prov.Tables = append(prov.Tables, st.table)
	}
	m.Provenance = append(m.Provenance, prov)
	m.UpdatedAt = now
	if err := writeManifest(dir, m); err != nil {
		return err
	}
	hook("committed")

	// 4. Sweep what no manifest refers to any more.
	sweep(dir, m)
	return nil
}

// sweep removes the temporary files and kept previous versions in dir that m
// does not refer to: leftovers of this commit and of killed ones.
func sweep(dir string, m *Manifest) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	used := map[string]bool{}
	for _, t := range m.Tables {
		used[t.File] = true
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || used[name] || !(isTemp(name) || isBackup(name)) {
			continue
		}
		os.Remove(filepath.Join(dir, name))
	}
}

func randomHex() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// linkOrCopy makes dst a second name of src (a hard link) or, where the file
// system has no hard links, a synced copy.
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
	}
	return err
}

// ReadZoo reads the manifest of the zoo directory dir and every table it
// lists; a table absent from the zoo stays nil. The scores and
// dataset_distances rows of a schema 1 zoo, without a source column, get
// the source of the write that made them, or LegacySource. A missing directory yields
// an error wrapping ErrNoTable. A table whose file's size or row count
// differs from the manifest's is an error; ReadZoo does not recompute
// checksums (Verify does). When a writer commits while ReadZoo reads, ReadZoo
// starts over on the new manifest, a few times at most.
func ReadZoo(dir string) (*Tables, *Manifest, error) {
	for attempt := 1; ; attempt++ {
		before, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
		t, m, err := readZoo(dir)
		if err == nil || attempt == 3 {
			return t, m, err
		}
		after, rerr := os.ReadFile(filepath.Join(dir, ManifestFile))
		if rerr != nil || bytes.Equal(before, after) {
			return nil, nil, err
		}
	}
}

func readZoo(dir string) (*Tables, *Manifest, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, nil, err
	}
	t := &Tables{}
	for _, read := range []func() error{
		func() (err error) { t.Models, err = readZooTable[Model](dir, m); return err },
		func() (err error) { t.Datasets, err = readZooTable[Dataset](dir, m); return err },
		func() (err error) { t.Cards, err = readZooTable[Card](dir, m); return err },
		func() (err error) { t.Evals, err = readZooTable[Eval](dir, m); return err },
		func() (err error) { t.Finetunes, err = readZooTable[Finetune](dir, m); return err },
		func() (err error) { t.Scores, err = readZooTable[Score](dir, m); return err },
		func() (err error) { t.DatasetDistances, err = readZooTable[DatasetDistance](dir, m); return err },
		func() (err error) { t.ReferenceResults, err = readZooTable[ReferenceResult](dir, m); return err },
	} {
		if err := read(); err != nil {
			return nil, nil, err
		}
	}
	return t, m, nil
}

// ReadTable reads T's table of the zoo directory dir, as its manifest lists
// it. A zoo without that table yields an error wrapping ErrNoTable.
func ReadTable[T Row](dir string, columns ...string) ([]T, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	name := TableName[T]()
	if _, ok := m.Tables[name]; !ok {
		return nil, fmt.Errorf("store: zoo %s: %w: %s", dir, ErrNoTable, name)
	}
	return readZooTable[T](dir, m, columns...)
}

// TablePath returns the path of the file of the table named table in the zoo
// directory dir, as the manifest lists it, or "" when the zoo has no such
// table.
func (m *Manifest) TablePath(dir, table string) string {
	t, ok := m.Tables[table]
	if !ok {
		return ""
	}
	return filepath.Join(dir, t.File)
}

func readZooTable[T Row](dir string, m *Manifest, columns ...string) ([]T, error) {
	name := TableName[T]()
	info, ok := m.Tables[name]
	if !ok {
		return nil, nil
	}
	path := filepath.Join(dir, info.File)
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("store: zoo %s: table %s listed in %s: %w", dir, name, ManifestFile, err)
	}
	if st.Size() != info.Bytes {
		return nil, fmt.Errorf("store: zoo %s: %s has %d bytes, %s says %d: the file changed outside zoograph",
			dir, path, st.Size(), ManifestFile, info.Bytes)
	}
	rows, err := readFile[T](path, defaultIO, columns)
	if err != nil {
		return nil, err
	}
	if int64(len(rows)) != info.Rows {
		return nil, fmt.Errorf("store: zoo %s: %s has %d rows, %s says %d", dir, path, len(rows), ManifestFile, info.Rows)
	}
	if len(columns) == 0 || slices.Contains(columns, "source") {
		attribute(rows, legacySource(m, name))
	}
	if rows == nil {
		rows = []T{} // present but empty: not nil
	}
	return rows, nil
}

// TableCheck is the result of verifying one table file against the manifest.
type TableCheck struct {
	Table  string
	File   string
	Want   TableInfo // as the manifest lists it
	Bytes  int64     // found on disk
	SHA256 string    // found on disk; "" when the file could not be read
	Err    error     // nil when the file matches the manifest
}

// Verify recomputes the size and SHA-256 of every table file of the zoo
// directory dir and compares them with the manifest. The error is about the
// manifest itself; a table that fails has its TableCheck.Err set.
func Verify(dir string) ([]TableCheck, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	checks := make([]TableCheck, 0, len(m.Tables))
	for _, name := range m.TableOrder() {
		info := m.Tables[name]
		c := TableCheck{Table: name, File: info.File, Want: info}
		c.SHA256, c.Bytes, c.Err = hashFile(filepath.Join(dir, info.File))
		switch {
		case c.Err != nil:
		case c.Bytes != info.Bytes:
			c.Err = fmt.Errorf("%s: %d bytes, manifest says %d", info.File, c.Bytes, info.Bytes)
		case c.SHA256 != info.SHA256:
			c.Err = fmt.Errorf("%s: sha256 %s, manifest says %s", info.File, c.SHA256, info.SHA256)
		}
		checks = append(checks, c)
	}
	return checks, nil
}

// TableOrder returns the names of the manifest's tables: known tables in
// TableNames order, then any others sorted.
func (m *Manifest) TableOrder() []string {
	var names []string
	for _, n := range TableNames() {
		if _, ok := m.Tables[n]; ok {
			names = append(names, n)
		}
	}
	var other []string
	for n := range m.Tables {
		if !slices.Contains(names, n) {
			other = append(other, n)
		}
	}
	sort.Strings(other)
	return append(names, other...)
}

func hashFile(path string) (sum string, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	size, err = io.Copy(h, f)
	if err != nil {
		return "", size, err
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}

// DatasetIDs lists the zoo's dataset ids, each once: the datasets table's,
// then those only fine-tuning records name, in table order; empty, not nil,
// for a zoo without datasets.
func (t *Tables) DatasetIDs() []string {
	seen := map[string]bool{}
	ids := []string{}
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, d := range t.Datasets {
		add(d.DatasetID)
	}
	for _, f := range t.Finetunes {
		add(f.DatasetID)
	}
	return ids
}

// DatasetNames returns a function that maps a written dataset name to one of
// ids: the id itself, or the one id that name writes with "_" for "/", as
// TransferGraph's rank directories and result tables name glue/sst2
// glue_sst2. It reports false for a name that is neither, or that two ids
// write alike.
func DatasetNames(ids []string) func(name string) (string, bool) {
	exact := make(map[string]bool, len(ids))
	flat := make(map[string]string, len(ids))
	for _, id := range ids {
		exact[id] = true
		f := strings.ReplaceAll(id, "/", "_")
		if prev, ok := flat[f]; ok && prev != id {
			flat[f] = "" // ambiguous: only an exact name resolves
			continue
		}
		flat[f] = id
	}
	return func(name string) (string, bool) {
		if exact[name] {
			return name, true
		}
		id := flat[name]
		return id, id != ""
	}
}

// NearestDatasetID returns the one id of ids that a dataset name not among
// them stands for, for a did-you-mean: the id written with "_" for "/" and
// "-" and in any case (TransferGraph's rank directories name glue/sst2
// glue_sst2), else the id written with another owner or none (a crawl's Hub
// ids: cifar10 for uoft-cs/cifar10, and the other way), else the id nearest
// a typo away, whole or in the name after the owner (edit distance 1 or 2,
// under half the name's length). It returns "" when there is none or no
// one.
func NearestDatasetID(name string, ids []string) string {
	norm := strings.NewReplacer("/", "_", "-", "_")
	key := func(s string) string { return strings.ToLower(norm.Replace(s)) }
	repo := func(s string) string { return key(s[strings.LastIndexByte(s, '/')+1:]) }
	var match []string
	for _, id := range ids {
		if key(id) == key(name) && !slices.Contains(match, id) {
			match = append(match, id)
		}
	}
	if len(match) == 0 {
		for _, id := range ids {
			if repo(id) == repo(name) && !slices.Contains(match, id) {
				match = append(match, id)
			}
		}
	}
	if len(match) == 0 {
		best := min(3, (len(name)+1)/2)
		for _, id := range ids {
			switch e := min(EditDistance(key(name), key(id)), EditDistance(repo(name), repo(id))); {
			case e < best:
				best, match = e, []string{id}
			case e == best && len(match) > 0 && !slices.Contains(match, id):
				match = append(match, id)
			}
		}
	}
	if len(match) != 1 {
		return ""
	}
	return match[0]
}

// EditDistance is the Levenshtein distance of a and b, in bytes: what
// NearestDatasetID ranks ids by, and the command line its flag names.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
