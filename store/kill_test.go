//go:build unix

package store

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The kill tests re-run the test binary as a writer process that a parent
// kills with SIGKILL, then check the zoo the writer left behind.
const (
	killDirEnv  = "ZOOGRAPH_STORE_KILL_DIR"  // the zoo the writer writes; set only in the writer process
	killFromEnv = "ZOOGRAPH_STORE_KILL_FROM" // the first version it writes
	killStepEnv = "ZOOGRAPH_STORE_KILL_STEP" // if set, the commit step at which it kills itself
)

// zooVersion returns the content of version v of the test zoo: large enough
// that a write takes a while, with row counts that differ per version.
func zooVersion(v int) *Tables {
	return &Tables{
		Models:    sampleModels(2000+v, uint64(v)),
		Finetunes: sampleFinetunes(40_000+7*v, uint64(v)+1000),
		Scores:    sampleScores(5000+v, uint64(v)+2000),
	}
}

func zooProvenance(v int) Provenance {
	return Provenance{Source: "kill-test", Detail: map[string]string{"version": strconv.Itoa(v)}}
}

// TestKillWriterHelper is the writer process: it writes versions from, from+1,
// ... of the zoo and prints "committed N" after each, until killed.
func TestKillWriterHelper(t *testing.T) {
	dir := os.Getenv(killDirEnv)
	if dir == "" {
		t.Skip("the writer process of TestKilledWrite*; runs only when re-executed by them")
	}
	from, _ := strconv.Atoi(os.Getenv(killFromEnv))
	cfg := defaultIO
	if step := os.Getenv(killStepEnv); step != "" {
		cfg.hook = func(s string) {
			if s == step {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
	}
	fmt.Println("ready")
	for v := from; v < from+1000; v++ {
		if err := writeZoo(t.Context(), dir, zooVersion(v), zooProvenance(v), cfg); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Println("committed", v)
	}
}

// writerProcess starts the writer process on dir from version from. The
// returned function reports the last version the writer said it committed.
func writerProcess(t *testing.T, dir string, from int, step string) (*exec.Cmd, <-chan struct{}, func() int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillWriterHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), killDirEnv+"="+dir, killFromEnv+"="+strconv.Itoa(from), killStepEnv+"="+step)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	var mu sync.Mutex
	last := from - 1
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "ready":
				close(ready)
			case strings.HasPrefix(line, "committed "):
				n, _ := strconv.Atoi(strings.TrimPrefix(line, "committed "))
				mu.Lock()
				last = n
				mu.Unlock()
			case strings.HasPrefix(line, "error "):
				t.Errorf("writer process: %s", line)
			}
		}
	}()
	return cmd, ready, func() int { mu.Lock(); defer mu.Unlock(); return last }
}

// checkZoo checks that dir holds one complete version of the test zoo, with
// checksums matching its manifest, and returns that version.
func checkZoo(t *testing.T, dir string) int {
	t.Helper()
	checkVerify(t, dir)
	got, m := mustReadZoo(t, dir)
	v, err := strconv.Atoi(m.Provenance[len(m.Provenance)-1].Detail["version"])
	if err != nil {
		t.Fatalf("last provenance %+v has no version", m.Provenance[len(m.Provenance)-1])
	}
	// Row counts differ per version; the first and last rows pin the content.
	want := zooVersion(v)
	if diff := cmp.Diff(ends(want.Models), ends(got.Models), rowOpts...); diff != "" || len(got.Models) != len(want.Models) {
		t.Errorf("models: %d rows, want %d of version %d (-want +got):\n%.2000s", len(got.Models), len(want.Models), v, diff)
	}
	if diff := cmp.Diff(ends(want.Finetunes), ends(got.Finetunes), rowOpts...); diff != "" || len(got.Finetunes) != len(want.Finetunes) {
		t.Errorf("finetunes: %d rows, want %d of version %d (-want +got):\n%.2000s", len(got.Finetunes), len(want.Finetunes), v, diff)
	}
	if diff := cmp.Diff(ends(want.Scores), ends(got.Scores), rowOpts...); diff != "" || len(got.Scores) != len(want.Scores) {
		t.Errorf("scores: %d rows, want %d of version %d (-want +got):\n%.2000s", len(got.Scores), len(want.Scores), v, diff)
	}
	return v
}

// ends returns the first and last 20 rows.
func ends[T any](rows []T) []T {
	if len(rows) <= 40 {
		return rows
	}
	return append(rows[:20:20], rows[len(rows)-20:]...)
}

// TestKilledWriteKeepsZoo kills a writer at random points of large writes,
// several times, and checks after each kill that the zoo is one complete
// version: the last one the writer committed, or the one it was committing.
func TestKilledWriteKeepsZoo(t *testing.T) {
	kills := 6
	if testing.Short() {
		kills = 2
	}
	dir := t.TempDir()
	start := time.Now()
	if err := WriteZoo(t.Context(), dir, zooVersion(0), zooProvenance(0)); err != nil {
		t.Fatal(err)
	}
	// Kill within about two writes, wherever that falls on this machine.
	span := 2 * time.Since(start)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	next, torn := 1, 0
	for i := 0; i < kills; i++ {
		cmd, ready, last := writerProcess(t, dir, next, "")
		<-ready
		delay := time.Duration(r.Int64N(int64(span)))
		time.Sleep(delay)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		committed := last()
		v := checkZoo(t, dir)
		switch v {
		case committed:
			torn++ // killed mid-write: the previous version survived
		case committed + 1:
			// killed after the commit point, before it said so
		default:
			t.Fatalf("kill %d after %v: zoo at version %d, writer had committed %d", i, delay, v, committed)
		}
		t.Logf("kill %d after %v: writer had committed version %d; zoo reads as version %d", i, delay, committed, v)
		next = v + 1
	}
	t.Logf("%d of %d kills landed mid-write", torn, kills)

	// The next write sweeps what the kills left behind.
	if err := WriteZoo(t.Context(), dir, zooVersion(next), zooProvenance(next)); err != nil {
		t.Fatal(err)
	}
	if v := checkZoo(t, dir); v != next {
		t.Errorf("after a clean write: version %d, want %d", v, next)
	}
	for _, n := range zooFiles(t, dir) {
		if isTemp(n) || isBackup(n) {
			t.Errorf("leftover %s after a clean write", n)
		}
	}
}

// TestKilledWriteAtEveryStep kills the writer at each step of a commit and
// checks which version the zoo holds: the previous one until the manifest is
// replaced, the new one after.
func TestKilledWriteAtEveryStep(t *testing.T) {
	dir := t.TempDir()
	if err := WriteZoo(t.Context(), dir, zooVersion(0), zooProvenance(0)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		step   string
		newVer bool
	}{
		{"staged", false},
		{"kept", false},
		{"renamed models", false},
		{"renamed finetunes", false},
		{"renamed scores", false},
		{"committed", true},
	}
	prev := 0
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.step, " ", "_"), func(t *testing.T) {
			cmd, _, _ := writerProcess(t, dir, prev+1, tt.step)
			err := cmd.Wait()
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("writer ended with %v, want killed by SIGKILL at step %q", err, tt.step)
			}
			want := prev
			if tt.newVer {
				want = prev + 1
			}
			if v := checkZoo(t, dir); v != want {
				t.Errorf("killed at %q: zoo at version %d, want %d", tt.step, v, want)
			}
			prev = want
		})
	}
	// Leftovers are only temporary files and kept versions, swept later.
	for _, n := range zooFiles(t, dir) {
		if n != ManifestFile && !strings.HasSuffix(n, ".parquet") && !isTemp(n) {
			t.Errorf("unexpected file %s", filepath.Join(dir, n))
		}
	}
}
