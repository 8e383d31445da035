package crawler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
)

// Environment of the crawl child process of TestCrawlResumeAfterKill.
const (
	envChild    = "ZOOGRAPH_CRAWL_CHILD"
	envEndpoint = "ZOOGRAPH_CRAWL_ENDPOINT"
	envOut      = "ZOOGRAPH_CRAWL_OUT"
)

// killOptions are the options of the crawls of TestCrawlResumeAfterKill:
// small pages and parts, so a kill lands between many checkpoints.
func killOptions(out string) crawler.Options {
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Cards = true
	opt.PageSize = 50
	opt.PartRows = 120
	opt.FlushInterval = 30 * time.Millisecond
	opt.Workers = 6
	opt.LogEvery = -1
	return opt
}

// TestCrawlChild is the crawl run by TestCrawlResumeAfterKill in a child
// process, against the replica served by the parent.
func TestCrawlChild(t *testing.T) {
	if os.Getenv(envChild) == "" {
		t.Skip("run by TestCrawlResumeAfterKill")
	}
	opt := killOptions(os.Getenv(envOut))
	opt.Endpoint = os.Getenv(envEndpoint)
	opt.Quota = hub.Quota{Off: true}
	opt.Resume = os.Getenv(envChild) == "resume"
	if _, err := crawler.Crawl(context.Background(), opt); err != nil {
		fmt.Fprintln(os.Stderr, "child crawl:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

// TestCrawlResumeAfterKill SIGKILLs a crawl at random points, resumes it
// each time, and checks that it ends with the same tables as a crawl that
// was never interrupted.
func TestCrawlResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns crawl processes")
	}
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 1500, Seed: 21}, Latency: 5 * time.Millisecond})
	url := startHub(t, h)

	ref := t.TempDir()
	refOpt := killOptions(ref)
	refOpt.Client = newClient(t, url, "", hub.Quota{}, refOpt.Workers)
	refStart := time.Now()
	if _, err := crawler.Crawl(context.Background(), refOpt); err != nil {
		t.Fatal(err)
	}
	refTime := time.Since(refStart)
	t.Logf("uninterrupted crawl: %v", refTime)

	out := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	kills, lastPages := 0, int64(-1)
	mode := "start"
	for run := 0; ; run++ {
		if run > 40 {
			t.Fatal("the crawl never finished")
		}
		cmd, exited, stderr := startChild(t, mode, url, out)
		mode = "resume"
		// Four kills at random points, each after at most a fifth of the
		// crawl's work (plus the child's start-up), one while the parts
		// are merged into the zoo, then let it finish.
		var timer <-chan time.Time
		switch {
		case kills < 4:
			timer = time.After(50*time.Millisecond + time.Duration(rng.Int64N(int64(refTime/5))))
		case kills == 4:
			timer = whenMerging(out, time.Duration(rng.Int64N(int64(20*time.Millisecond))))
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("child crawl failed: %v\n%s", err, stderr.String())
			}
		case <-timer:
			cmd.Process.Kill() // SIGKILL: no cleanup, no flush
			err := <-exited
			var ee *exec.ExitError
			if err == nil || !errors.As(err, &ee) {
				// It had finished just before the kill.
				break
			}
			if ee.ExitCode() == 3 {
				t.Fatalf("child crawl failed: %s", stderr.String())
			}
			kills++
			pages := checkpointPages(t, out)
			t.Logf("kill %d: checkpoint at %d pages (%s)", kills, pages, checkpointPhase(out))
			if pages >= 0 && pages < lastPages {
				t.Errorf("checkpoint went back from %d to %d pages", lastPages, pages)
			}
			lastPages = max(lastPages, pages)
			continue
		}
		break
	}
	if kills < 3 {
		t.Errorf("only %d kills landed mid-crawl", kills)
	}
	if _, err := os.Stat(filepath.Join(out, ".crawl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("crawl state left behind: %v", err)
	}
	got, want := readZoo(t, out), readZoo(t, ref)
	checkModels(t, got.Models, visibleModels(h, false))
	equalTables(t, want, got)
}

// startChild starts TestCrawlChild in a child process, crawling the
// replica at url into out; mode is "start" or "resume". exited gets the
// child's exit.
func startChild(t *testing.T, mode, url, out string) (cmd *exec.Cmd, exited <-chan error, output *bytes.Buffer) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run=^TestCrawlChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"="+mode, envEndpoint+"="+url, envOut+"="+out)
	output = new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = output, output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return cmd, done, output
}

// whenMerging fires delay after the crawl in out enters its merge.
func whenMerging(out string, delay time.Duration) <-chan time.Time {
	c := make(chan time.Time, 1)
	go func() {
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) {
			b, _ := os.ReadFile(filepath.Join(out, ".crawl", "models", "state.json"))
			if bytes.Contains(b, []byte(`"phase": "compacting"`)) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(delay)
		c <- time.Now()
	}()
	return c
}

// checkpointPages reads the page count of the crawl state in out, -1 when
// there is none (killed before the first checkpoint or after the commit).
func checkpointPages(t *testing.T, out string) int64 {
	b, err := os.ReadFile(filepath.Join(out, ".crawl", "models", "state.json"))
	if err != nil {
		return -1
	}
	var st struct {
		Counts struct {
			Pages int64 `json:"pages"`
		} `json:"counts"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("checkpoint is not JSON after a kill: %v", err)
	}
	return st.Counts.Pages
}

func checkpointPhase(out string) string {
	b, err := os.ReadFile(filepath.Join(out, ".crawl", "models", "state.json"))
	if err != nil {
		return "no checkpoint"
	}
	var st struct {
		Phase string `json:"phase"`
	}
	json.Unmarshal(b, &st)
	return st.Phase
}

// TestCrawlKilledWhileFirstCrawlCommits SIGKILLs first crawls just as
// their listing ends, while their tables are merged and committed, a few
// times at random delays; each resumed crawl must end with the tables of
// an uninterrupted crawl, whatever the kill left committed.
func TestCrawlKilledWhileFirstCrawlCommits(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns crawl processes")
	}
	h := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 1200, Seed: 22}})
	url := startHub(t, h)
	ref := t.TempDir()
	refOpt := killOptions(ref)
	refOpt.Client = newClient(t, url, "", hub.Quota{}, refOpt.Workers)
	if _, err := crawler.Crawl(context.Background(), refOpt); err != nil {
		t.Fatal(err)
	}
	want := readZoo(t, ref)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	landed := 0
	for round := 0; round < 4; round++ {
		out := t.TempDir()
		run := func(mode string, kill <-chan time.Time) (killed bool) {
			cmd, exited, stderr := startChild(t, mode, url, out)
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("child crawl failed: %v\n%s", err, stderr.String())
				}
				return false
			case <-kill:
				cmd.Process.Kill()
				err := <-exited
				var ee *exec.ExitError
				if errors.As(err, &ee) && ee.ExitCode() == 3 {
					t.Fatalf("child crawl failed: %s", stderr.String())
				}
				return err != nil
			}
		}
		if run("start", whenMerging(out, time.Duration(rng.Int64N(int64(15*time.Millisecond))))) {
			landed++
			t.Logf("round %d: killed in phase %s", round, checkpointPhase(out))
			run("resume", nil)
		}
		got := readZoo(t, out)
		checkModels(t, got.Models, visibleModels(h, false))
		equalTables(t, want, got)
	}
	if landed == 0 {
		t.Error("no kill landed while the first crawl committed")
	}
}
