package store

import "time"

// ZooSummary is what a zoo directory holds, as its manifest records it:
// what `zoograph inspect` prints (its JSON form is `inspect --json`).
type ZooSummary struct {
	Dir           string         `json:"dir"`
	SchemaVersion int            `json:"schema_version"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
	Checksum      string         `json:"checksum"`
	Tables        []TableSummary `json:"tables"`
	Provenance    []Provenance   `json:"provenance"`
}

// TableSummary is one table of a ZooSummary.
type TableSummary struct {
	Name      string    `json:"name"`
	File      string    `json:"file"`
	Rows      int64     `json:"rows"`
	Bytes     int64     `json:"bytes"`
	SHA256    string    `json:"sha256"`
	WrittenAt time.Time `json:"written_at"`
	// Verified is nil unless the summary was asked to verify the files;
	// then it reports whether the file matches the manifest, and Problem
	// says how it does not.
	Verified *bool  `json:"verified,omitempty"`
	Problem  string `json:"problem,omitempty"`
}

// Summarize returns the summary of the zoo in dir, its tables in the
// manifest's order; with verify, every table file's checksum and size are
// recomputed (Verify) and reported per table. An error is the manifest's
// (ErrNotZoo for a directory that is not a zoo) or a file that could not
// be checked; a file that differs is reported in its TableSummary, counted
// by Failed.
func Summarize(dir string, verify bool) (*ZooSummary, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	s := &ZooSummary{
		Dir: dir, SchemaVersion: m.SchemaVersion, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
		Checksum: m.Checksum(), Provenance: m.Provenance,
	}
	for _, name := range m.TableOrder() {
		t := m.Tables[name]
		s.Tables = append(s.Tables, TableSummary{
			Name: name, File: t.File, Rows: t.Rows, Bytes: t.Bytes, SHA256: t.SHA256, WrittenAt: t.WrittenAt,
		})
	}
	if !verify {
		return s, nil
	}
	checks, err := Verify(dir)
	if err != nil {
		return nil, err
	}
	for _, c := range checks {
		for i := range s.Tables {
			if s.Tables[i].Name != c.Table {
				continue
			}
			ok := c.Err == nil
			s.Tables[i].Verified = &ok
			if c.Err != nil {
				s.Tables[i].Problem = c.Err.Error()
			}
		}
	}
	return s, nil
}

// Failed counts the tables whose verification failed.
func (s *ZooSummary) Failed() int {
	n := 0
	for _, t := range s.Tables {
		if t.Verified != nil && !*t.Verified {
			n++
		}
	}
	return n
}

// Rows returns the rows of the table called name, 0 when the zoo has none.
func (s *ZooSummary) Rows(name string) int64 {
	for _, t := range s.Tables {
		if t.Name == name {
			return t.Rows
		}
	}
	return 0
}
