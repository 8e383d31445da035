package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

const inspectSynopsis = "ZOO [--json] [--verify] [TABLE [--limit N]]"

const inspectDescription = `
Show what a zoo directory holds: schema version, creation and update times,
content checksum, each table's row count and file size, and the provenance
of every write.

--verify recomputes each table file's SHA-256 and size and compares them
with manifest.json; any difference is an error (exit code 1).

With TABLE (models, finetunes, ...), print its first rows instead: an
aligned text table, or with --json one JSON object per line. Null cells
print as null.`

// runInspect shows a zoo's manifest, or the first rows of one of its tables.
func runInspect(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "inspect", inspectSynopsis, inspectDescription)
	asJSON := fs.Bool("json", false, "print JSON (one object; JSON lines for rows)")
	verify := fs.Bool("verify", false, "recompute the checksums of the table files")
	limit := fs.Int("limit", 10, "rows to print with TABLE")
	for _, a := range args {
		// Every other command names the zoo with --zoo: a user who
		// writes it here is told the form, not that the flag is unknown.
		if name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); strings.HasPrefix(a, "-") && name == "zoo" {
			return usagef("inspect takes the zoo as its argument, not --zoo: zoograph inspect ZOO [TABLE]")
		}
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return usagef("missing ZOO directory")
	case len(pos) > 2:
		return usagef("too many arguments: %q", pos[2:])
	case *limit < 1:
		return usagef("--limit %d: want at least 1", *limit)
	case len(pos) == 1 && flagGiven(fs, "limit"):
		return usagef("--limit prints a TABLE's first rows: name one (zoograph inspect ZOO finetunes --limit %d)", *limit)
	}
	dir := pos[0]
	if len(pos) == 2 {
		m, err := store.ReadManifest(dir)
		if err != nil {
			return err
		}
		return inspectTable(e.stdout, dir, m, pos[1], *limit, *asJSON)
	}
	zs, err := store.Summarize(dir, *verify)
	if err != nil {
		return err
	}
	sum := &zooSummary{ZooSummary: zs}
	if zs.Rows("evals") > 0 {
		h, err := pipeline.ReadHistory(dir)
		if err != nil {
			return fmt.Errorf("history from model-index: %w", err)
		}
		sum.History = &h.Report
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else if err := sum.writeText(e.stdout); err != nil {
		return err
	}
	if bad := sum.Failed(); bad > 0 {
		return fmt.Errorf("verify: %d of %d tables differ from %s", bad, len(sum.Tables), store.ManifestFile)
	}
	return nil
}

// parseInterspersed parses flags that may come before, between or after the
// positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// zooSummary is what inspect prints: the zoo's summary (store) and the
// fine-tuning history its evals hold (nil without evals). Its JSON form is
// the --json output.
type zooSummary struct {
	*store.ZooSummary
	History *pipeline.HistoryReport `json:"history,omitempty"`
}

func (s *zooSummary) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "zoo\t%s\n", s.Dir)
	fmt.Fprintf(tw, "schema version\t%d\n", s.SchemaVersion)
	fmt.Fprintf(tw, "created\t%s\n", fmtSeconds(s.CreatedAt))
	fmt.Fprintf(tw, "updated\t%s\n", fmtSeconds(s.UpdatedAt))
	fmt.Fprintf(tw, "checksum\t%s\n", s.Checksum)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := s.writeTables(w); err != nil {
		return err
	}
	s.writeHistory(w)
	writeProvenance(w, s.Provenance)
	return nil
}

// writeTables writes the table of tables: rows, size, when written, file
// and, verified, whether the file matches the manifest.
func (s *zooSummary) writeTables(w io.Writer) error {
	verified := len(s.Tables) > 0 && s.Tables[0].Verified != nil
	var rows, size int64
	rowsW, sizeW := len("ROWS"), len("SIZE")
	for _, t := range s.Tables {
		rows += t.Rows
		size += t.Bytes
	}
	rowsW = max(rowsW, len(group(rows)))
	sizeW = max(sizeW, len(humanBytes(size)))
	for _, t := range s.Tables {
		sizeW = max(sizeW, len(humanBytes(t.Bytes)))
	}
	// Names left-aligned, numbers right-aligned.
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := fmt.Sprintf("TABLE\t%*s\t%*s\tWRITTEN\tFILE", rowsW, "ROWS", sizeW, "SIZE")
	if verified {
		header += "\tVERIFY"
	}
	fmt.Fprintln(tw, header)
	for _, t := range s.Tables {
		line := fmt.Sprintf("%s\t%*s\t%*s\t%s\t%s", t.Name, rowsW, group(t.Rows), sizeW, humanBytes(t.Bytes), fmtSeconds(t.WrittenAt), t.File)
		if verified {
			status := "ok"
			if !*t.Verified {
				status = "FAILED"
			}
			line += "\t" + status
		}
		fmt.Fprintln(tw, line)
	}
	if len(s.Tables) == 0 {
		fmt.Fprintln(tw, "(no tables)")
	} else {
		fmt.Fprintf(tw, "total\t%*s\t%*s\n", rowsW, group(rows), sizeW, humanBytes(size))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, t := range s.Tables {
		if t.Problem != "" {
			fmt.Fprintf(w, "verify %s: %s\n", t.Name, t.Problem)
		}
	}
	return nil
}

// writeHistory writes how the evals became fine-tuning records.
func (s *zooSummary) writeHistory(w io.Writer) {
	if h := s.History; h != nil {
		fmt.Fprintf(w, "\nhistory from model-index: %s records (%d base models, %d datasets) from %s evals\n",
			group(int64(h.Records)), h.BaseModels, h.Datasets, group(int64(h.Evals)))
		fmt.Fprintf(w, "  lineage: %d models name a base model in base_model, %d only in the Trainer sentence\n",
			h.Lineage[pipeline.LineageMetadata], h.Lineage[pipeline.LineageTrainer])
		if h.TrainerSplit > 0 {
			fmt.Fprintf(w, "  %d records are on the Trainer's evaluation set (the card names train or no split)\n", h.TrainerSplit)
		}
		for _, why := range h.RejectReasons() {
			fmt.Fprintf(w, "  rejected: %s\n", why)
		}
	}
}

// writeProvenance writes the zoo's writes, oldest first.
func writeProvenance(w io.Writer, provenance []store.Provenance) {
	prov := groupWrites(provenance)
	writes := "writes"
	if len(prov) == 1 {
		writes = "write"
	}
	fmt.Fprintf(w, "\nprovenance (%d %s, oldest first):\n", len(prov), writes)
	for _, p := range prov {
		// A zoo's manifest may come from anywhere: a line break in a
		// source, a command or a detail would fake a line.
		fmt.Fprintf(w, "  %s  %s", fmtSeconds(p.At), termSafe(p.Source))
		if len(p.Tables) > 0 {
			fmt.Fprintf(w, "  tables=%s", termSafe(strings.Join(p.Tables, ",")))
		}
		fmt.Fprintln(w)
		if p.Command != "" {
			fmt.Fprintf(w, "      command: %s\n", termSafe(p.Command))
		}
		keys := make([]string, 0, len(p.Detail))
		for k := range p.Detail {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "      %s: %s\n", termSafe(k), termSafe(p.Detail[k]))
		}
	}
}

// inspectTable prints the first limit rows of one table of the zoo.
func inspectTable(w io.Writer, dir string, m *store.Manifest, table string, limit int, asJSON bool) error {
	path := m.TablePath(dir, table)
	if path == "" {
		return fmt.Errorf("zoo %s has no table %q (tables: %s)", dir, table, strings.Join(m.TableOrder(), ", "))
	}
	p, err := store.Peek(path, limit)
	if err != nil {
		return err
	}
	if asJSON {
		for _, row := range p.Rows {
			line, err := jsonRow(p.Columns, row)
			if err != nil {
				return fmt.Errorf("%s: %w", filepath.Base(path), err)
			}
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(p.Columns, "\t"))
	for _, row := range p.Rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = textCell(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "(%s of %s rows of %s)\n", group(int64(len(p.Rows))), group(p.TotalRows), table)
	return nil
}

// jsonRow encodes one row as a JSON object with keys in column order and a
// newline. NaN and infinities, which JSON lacks, become strings.
func jsonRow(columns []string, row []any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range row {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(columns[i])
		b.Write(k)
		b.WriteByte(':')
		if f, ok := c.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			c = strconv.FormatFloat(f, 'g', -1, 64)
		}
		v, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", columns[i], err)
		}
		b.Write(v)
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// groupWrites joins the provenance entries of one write that committed its
// tables one at a time, as crawls did (cards, evals, then the repo table)
// before store.MergeParts committed them together, so that older zoos show
// each crawl once: consecutive entries of one source and command, on
// disjoint tables, whose details agree wherever both have a key. The group
// lists every table, the details once, and each table's "rows" as "TABLE N,
// ...".
func groupWrites(prov []store.Provenance) []store.Provenance {
	var out []store.Provenance
	for _, p := range prov {
		if n := len(out); n > 0 && sameWrite(out[n-1], p) {
			g := &out[n-1]
			for k, v := range p.Detail {
				if k == "rows" && g.Detail[k] != "" {
					g.Detail[k] += ", " + rowsOf(p)
				} else if k == "rows" {
					g.Detail[k] = rowsOf(p)
				} else {
					g.Detail[k] = v
				}
			}
			g.Tables = append(g.Tables, p.Tables...)
			continue
		}
		g := p
		g.Tables = slices.Clone(p.Tables)
		g.Detail = maps.Clone(p.Detail)
		if _, ok := g.Detail["rows"]; ok {
			g.Detail["rows"] = rowsOf(p)
		}
		out = append(out, g)
	}
	return out
}

// rowsOf labels an entry's "rows" detail with its table.
func rowsOf(p store.Provenance) string {
	if len(p.Tables) == 1 {
		return p.Tables[0] + " " + p.Detail["rows"]
	}
	return p.Detail["rows"]
}

func sameWrite(a, b store.Provenance) bool {
	if a.Source != b.Source || a.Command != b.Command || len(a.Tables) == 0 || len(b.Tables) == 0 {
		return false
	}
	for _, t := range b.Tables {
		if slices.Contains(a.Tables, t) {
			return false
		}
	}
	for k, v := range b.Detail {
		if av, ok := a.Detail[k]; ok && k != "rows" && av != v {
			return false
		}
	}
	return true
}

// maxCell is the widest a text cell gets, in runes.
const maxCell = 40

func textCell(c any) string {
	var s string
	switch c := c.(type) {
	case nil:
		return "null"
	case string:
		s = termSafe(c)
	case float64:
		s = strconv.FormatFloat(c, 'g', -1, 64)
	case time.Time:
		s = fmtTime(c)
	case []string:
		s = "[" + termSafe(strings.Join(c, ", ")) + "]"
	default:
		s = fmt.Sprint(c)
	}
	if utf8.RuneCountInString(s) > maxCell {
		r := []rune(s)
		s = string(r[:maxCell-1]) + "…"
	}
	return s
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// fmtSeconds formats t in UTC to the second, for summaries.
func fmtSeconds(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// group formats n with thousands separators: 1234567 -> 1,234,567.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
