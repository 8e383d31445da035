package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/store"
)

const crawlTestToken = "hf_cmdCrawlTestSecret9876543210abcdef"

// crawlHub serves a small synthetic Hub on loopback that accepts
// crawlTestToken.
func crawlHub(t *testing.T, opt hubtest.Options) (*hubtest.Hub, string) {
	t.Helper()
	opt.Token = crawlTestToken
	if opt.Zoo.Models == 0 {
		opt.Zoo = hubtest.Zoo{Models: 150, Datasets: 20, Seed: 8}
	}
	h := hubtest.New(opt)
	url, stop, err := h.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return h, url
}

func runCrawlCmd(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(ctx, append([]string{"-v", "crawl"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCrawlCommand(t *testing.T) {
	h, url := crawlHub(t, hubtest.Options{PageSize: 40})
	dir := filepath.Join(t.TempDir(), "zoo")
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(crawlTestToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HF_TOKEN", "")
	code, stdout, stderr := runCrawlCmd(context.Background(), "models", "--out", dir, "--endpoint", url,
		"--token-file", tokenFile, "--cards", "--quota", "none", "--workers", "4")
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"crawl models into", "committed", "table      ", "watermark"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	tables, m, err := store.ReadZoo(dir)
	if err != nil {
		t.Fatal(err)
	}
	// With the token, private models are listed too.
	if got, want := len(tables.Models), h.NumModels(); got != want {
		t.Errorf("got %d models, want %d", got, want)
	}
	if len(tables.Cards) == 0 || tables.Evals == nil {
		t.Errorf("got %d cards and %v evals", len(tables.Cards), tables.Evals != nil)
	}
	// The provenance records the flags that shape the result, not the
	// token file, the pacing or the workers.
	last := m.Provenance[len(m.Provenance)-1]
	if want := "zoograph crawl models --out " + strconv.Quote(dir) + " --endpoint " + url + " --cards"; last.Command != want || last.Source != "hub" {
		t.Errorf("provenance command %q, want %q (source %q)", last.Command, want, last.Source)
	}
	checkNoToken(t, dir, stdout, stderr)
}

func TestCrawlCommandEnv(t *testing.T) {
	_, url := crawlHub(t, hubtest.Options{})
	dir := filepath.Join(t.TempDir(), "zoo")
	t.Setenv("HF_ENDPOINT", url)
	t.Setenv("HF_TOKEN", crawlTestToken)
	code, stdout, stderr := runCrawlCmd(context.Background(), "datasets", "--out", dir, "--quota", "api=1000,resolvers=1000")
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	tables, _, err := store.ReadZoo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables.Datasets) == 0 || tables.Models != nil {
		t.Errorf("got %d datasets, models %v", len(tables.Datasets), tables.Models != nil)
	}
	checkNoToken(t, dir, stdout, stderr)

	// The same crawl again is incremental, and --quiet prints nothing.
	code, stdout, stderr = runCrawlCmd(context.Background(), "datasets", "--out", dir, "--quiet")
	if code != exitOK || stdout != "" || stderr != "" {
		t.Errorf("quiet crawl: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	_, m, err := store.ReadZoo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if since := m.Provenance[len(m.Provenance)-1].Detail["crawl.since"]; since == "" {
		t.Errorf("second crawl was not incremental: %v", m.Provenance[len(m.Provenance)-1].Detail)
	}
}

// checkNoToken looks for the token in the outputs and every file of dir.
func checkNoToken(t *testing.T, dir string, outputs ...string) {
	t.Helper()
	for i, o := range outputs {
		if strings.Contains(o, crawlTestToken) || strings.Contains(o, crawlTestToken[3:]) {
			t.Errorf("output %d contains the token", i)
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && (bytes.Contains(b, []byte(crawlTestToken)) || bytes.Contains(b, []byte(crawlTestToken[3:]))) {
			t.Errorf("%s contains the token", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCrawlCommandInterruptAndResume(t *testing.T) {
	_, url := crawlHub(t, hubtest.Options{Zoo: hubtest.Zoo{Models: 2000, Datasets: 50, Seed: 3}, PageSize: 20, Latency: 30 * time.Millisecond})
	dir := filepath.Join(t.TempDir(), "zoo")
	t.Setenv("HF_TOKEN", "")
	// Interrupted once the checkpoint holds a part: a crawl interrupted
	// before it stored anything leaves nothing to resume.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if b, _ := os.ReadFile(filepath.Join(dir, ".crawl", "models", "state.json")); bytes.Contains(b, []byte(`"seq"`)) {
				cancel()
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	code, stdout, stderr := runCrawlCmd(ctx, "models", "--out", dir, "--endpoint", url, "--filter", "region:us", "--cards", "--full", "--quota", "none")
	if code != exitInterrupted {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", code, exitInterrupted, stderr)
	}
	if !strings.Contains(stdout, "NOT committed") || !strings.Contains(stderr, "interrupted") {
		t.Errorf("stdout %q, stderr %q", stdout, stderr)
	}
	// Without --resume the interrupted crawl is in the way.
	code, _, stderr = runCrawlCmd(context.Background(), "models", "--out", dir, "--endpoint", url, "--quota", "none")
	if code != exitFailure || !strings.Contains(stderr, "--resume") && !strings.Contains(stderr, "resume") {
		t.Errorf("crawl over an interrupted one: exit %d, stderr %q", code, stderr)
	}
	// Resumed against another Hub, the listing would mix two hosts' pages.
	code, _, stderr = runCrawlCmd(context.Background(), "models", "--out", dir, "--endpoint", url+"/mirror", "--resume", "--quota", "none")
	if code != exitFailure || !strings.Contains(stderr, "endpoint") {
		t.Errorf("resume against another endpoint: exit %d, stderr %q", code, stderr)
	}
	code, stdout, stderr = runCrawlCmd(context.Background(), "models", "--out", dir, "--endpoint", url+"/", "--resume", "--quota", "none", "--workers", "16")
	if code != exitOK || !strings.Contains(stdout, "resumed") {
		t.Fatalf("resume: exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	tables, _, err := store.ReadZoo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables.Models) < 1900 || len(tables.Cards) == 0 {
		t.Errorf("after resume: %d models, %d cards", len(tables.Models), len(tables.Cards))
	}
	// The resume left the query out, --full and the endpoint's slash too:
	// the zoo records the crawl's own.
	m, err := store.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("zoograph crawl models --out %q --endpoint %s --filter region:us --cards --full", dir, url)
	if n := len(m.Provenance); n != 1 || m.Provenance[0].Command != want {
		t.Errorf("provenance %+v: want one entry, command\n%s", m.Provenance, want)
	}
}

// TestCrawlCommandResumeNothing checks that --resume without an
// interrupted crawl says so on stderr, even with --quiet, and what it runs
// instead: a full crawl, then an incremental one.
func TestCrawlCommandResumeNothing(t *testing.T) {
	_, url := crawlHub(t, hubtest.Options{})
	dir := filepath.Join(t.TempDir(), "zoo")
	t.Setenv("HF_TOKEN", "")
	for _, want := range []string{
		"nothing to resume: no interrupted crawl of models in " + dir + "; running a full crawl instead",
		"nothing to resume: no interrupted crawl of models in " + dir + "; running an incremental crawl of what changed since ",
	} {
		code, _, stderr := runCrawlCmd(t.Context(), "models", "--out", dir, "--endpoint", url, "--quota", "none", "--resume", "--quiet")
		if code != exitOK || !strings.Contains(stderr, want) || !strings.Contains(stderr, "level=WARN") {
			t.Errorf("exit %d; stderr lacks a warning %q:\n%s", code, want, stderr)
		}
	}
	code, _, stderr := runCrawlCmd(t.Context(), "models", "--out", dir, "--endpoint", url, "--quota", "none")
	if code != exitOK || strings.Contains(stderr, "nothing to resume") {
		t.Errorf("without --resume: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestCrawlCommandUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"no kind", []string{"--out", dir}},
		{"bad kind", []string{"spaces", "--out", dir}},
		{"no out", []string{"models"}},
		{"extra argument", []string{"models", "datasets", "--out", dir}},
		{"bad since", []string{"models", "--out", dir, "--since", "yesterday"}},
		{"since and full", []string{"models", "--out", dir, "--since", "2024-01-01", "--full"}},
		{"bad quota", []string{"models", "--out", dir, "--quota", "api=lots"}},
		{"resume and restart", []string{"models", "--out", dir, "--resume", "--restart"}},
		{"negative limit", []string{"models", "--out", dir, "--limit", "-1"}},
		{"unknown flag", []string{"models", "--out", dir, "--frobnicate"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCrawlCmd(context.Background(), tt.args...)
			if code != exitUsage {
				t.Errorf("exit code %d, want %d; stderr %q", code, exitUsage, stderr)
			}
		})
	}
	// An unknown sort key is refused before the Hub is asked, which would
	// answer 400 after the crawl has begun.
	_, url := crawlHub(t, hubtest.Options{})
	code, stdout, stderr := runCrawlCmd(context.Background(), "models", "--out", dir, "--endpoint", url, "--quota", "none", "--sort", "size")
	if want := `--sort "size": want one of createdAt, lastModified, downloads, downloadsAllTime, likes, trendingScore`; code != exitUsage || !strings.Contains(stderr, want) || stdout != "" {
		t.Errorf("--sort size: exit %d, want %d; stderr lacks %q:\n%s\nstdout:\n%s", code, exitUsage, want, stderr, stdout)
	}
	if code, _, stderr := runCrawlCmd(context.Background(), "-h"); code != exitOK || !strings.Contains(stderr, "--resume") && !strings.Contains(stderr, "-resume") {
		t.Errorf("-h: exit %d, stderr %q", code, stderr)
	}
}

// TestCrawlCommandBadLocations checks that a malformed endpoint, token
// file or zoo path is a usage error naming its flag (or HF_ENDPOINT),
// given before any request.
func TestCrawlCommandBadLocations(t *testing.T) {
	h, url := crawlHub(t, hubtest.Options{})
	tmp := t.TempDir()
	zoo := filepath.Join(tmp, "zoo")
	aFile := filepath.Join(tmp, "a-file")
	writeTestFile(t, aFile, "x")
	t.Setenv("HF_TOKEN", "")
	for _, tt := range []struct {
		name, env string
		args      []string
		want      string
	}{
		{name: "endpoint not a URL", args: []string{"--endpoint", "notaurl"},
			want: `--endpoint not an http or https URL`},
		{name: "endpoint without its scheme", args: []string{"--endpoint", "127.0.0.1:8080"},
			want: `--endpoint not a URL (e.g. https://huggingface.co)`},
		{name: "endpoint of another scheme", args: []string{"--endpoint", "ftp://example.org"},
			want: `--endpoint not an http or https URL`},
		{name: "endpoint without host", args: []string{"--endpoint", "http://"},
			want: `--endpoint no host`},
		{name: "endpoint with a query", args: []string{"--endpoint", url + "?x=1"},
			want: `--endpoint must not have a query`},
		{name: "endpoint with credentials, another scheme", args: []string{"--endpoint", "ftp://user:hf_SECRET@example.org"},
			want: "--endpoint must not carry credentials"},
		{name: "endpoint with credentials, not a URL", args: []string{"--endpoint", "https://user:hf_SECRET@example.org:99999x"},
			want: "--endpoint must not carry credentials"},
		{name: "token pasted before the host", args: []string{"--endpoint", "hf_SECRET@mirror.example"},
			want: "--endpoint must not carry credentials"},
		{name: "token typed as the port", args: []string{"--endpoint", "https://mirror.example:hf_SECRET"},
			want: "--endpoint not a URL"},
		{name: "token in a query", args: []string{"--endpoint", "https://mirror.example/?token=hf_SECRET"},
			want: "--endpoint must not have a query"},
		{name: "token with a scheme missing its slashes", args: []string{"--endpoint", "https:/user:hf_SECRET@host"},
			want: "--endpoint must not carry credentials"},
		{name: "HF_ENDPOINT not a URL", env: "notaurl",
			want: `HF_ENDPOINT not an http or https URL`},
		{name: "missing token file", args: []string{"--endpoint", url, "--token-file", filepath.Join(tmp, "no-token")},
			want: "--token-file: stat " + filepath.Join(tmp, "no-token")},
		{name: "token file a directory", args: []string{"--endpoint", url, "--token-file", tmp},
			want: "--token-file " + tmp + ": a directory"},
		{name: "out a file", args: []string{"--endpoint", url}, want: "--out " + aFile + ": not a directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HF_ENDPOINT", tt.env)
			out := zoo
			if tt.name == "out a file" {
				out = aFile
			}
			before := h.Stats().Total()
			args := append([]string{"models", "--out", out, "--quota", "none", "--retries", "0"}, tt.args...)
			code, stdout, stderr := runCrawlCmd(t.Context(), args...)
			if code != exitUsage || !strings.Contains(stderr, "zoograph crawl: "+tt.want) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s", code, exitUsage, tt.want, stderr)
			}
			if strings.Contains(stderr, "hf_SECRET") {
				t.Errorf("stderr shows the token:\n%s", stderr)
			}
			if got := h.Stats().Total() - before; got != 0 || stdout != "" {
				t.Errorf("%d requests made, stdout %q; want none before the usage error", got, stdout)
			}
			if _, err := os.Stat(zoo); !os.IsNotExist(err) {
				t.Errorf("%s created (stat: %v)", zoo, err)
			}
		})
	}
}

// TestCrawlCommandLine checks the command a crawl records in the zoo's
// provenance: the query that shapes the result, quoted where a shell needs
// it, the endpoint only when it is not the Hub's, never the token.
func TestCrawlCommandLine(t *testing.T) {
	since := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		o    crawler.Options
		want string
	}{
		{name: "plain", o: crawler.Options{Out: "zoo", Endpoint: hub.DefaultEndpoint, Sort: crawler.SortCreated, Token: crawlTestToken, Workers: 8, Resume: true},
			want: `zoograph crawl models --out "zoo"`},
		{name: "the Hub with a slash", o: crawler.Options{Out: "zoo", Endpoint: "https://huggingface.co/", Sort: crawler.SortCreated},
			want: `zoograph crawl models --out "zoo"`},
		{name: "every shaping option", o: crawler.Options{Out: "my zoo", Endpoint: "http://127.0.0.1:8080/", Filter: []string{"image-classification", "license:mit"},
			Search: "vit base", Author: "google", Sort: "downloads", Limit: 5000, Cards: true, Details: true, Full: true},
			want: `zoograph crawl models --out "my zoo" --endpoint http://127.0.0.1:8080 ` +
				`--filter image-classification --filter license:mit --search "vit base" --author google --sort downloads --limit 5000 --cards --details --full`},
		{name: "since as a time", o: crawler.Options{Out: "z", Endpoint: hub.DefaultEndpoint, Sort: crawler.SortLastModified, Since: since},
			want: `zoograph crawl models --out "z" --since 2026-11-30T00:00:00Z`},
		{name: "--full resuming an incremental crawl", o: crawler.Options{Out: "z", Endpoint: hub.DefaultEndpoint, Sort: crawler.SortLastModified, Since: since, Full: true},
			want: `zoograph crawl models --out "z" --since 2026-11-30T00:00:00Z`},
		{name: "a full crawl by lastModified", o: crawler.Options{Out: "z", Endpoint: hub.DefaultEndpoint, Sort: crawler.SortLastModified},
			want: `zoograph crawl models --out "z" --sort lastModified`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Kind = crawler.KindModels
			if got := crawlCommandLine(tt.o); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2025-03-04T05:06:07Z", time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC), true},
		{"2025-03-04T05:06:07+02:00", time.Date(2025, 3, 4, 3, 6, 7, 0, time.UTC), true},
		{"2025-03-04", time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC), true},
		{"48h", now.Add(-48 * time.Hour), true},
		{"-5h", time.Time{}, false},
		{"0s", time.Time{}, false},
		{"soon", time.Time{}, false},
		{"", time.Time{}, false},
	} {
		got, err := parseSince(tt.in, now)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestCrawlCommandUnreachable: a Hub nothing answers for (a closed
// loopback port) gets a log line per retry, then "cannot reach ENDPOINT"
// and exit 1, with no talk of an interruption or of --resume, and no
// crawl state in the way of the next crawl.
func TestCrawlCommandUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String()
	ln.Close()
	dir := filepath.Join(t.TempDir(), "z")
	t.Setenv("HF_ENDPOINT", endpoint)
	t.Setenv("HF_TOKEN", "")
	start := time.Now()
	code, stdout, stderr := runCrawlCmd(context.Background(), "models", "--out", dir, "--limit", "5", "--retries", "2")
	if code != exitFailure {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", code, exitFailure, stderr)
	}
	if n := strings.Count(stderr, `msg="hub retry"`); n != 2 || !strings.Contains(stderr, "connection refused") {
		t.Errorf("%d retry log lines, want 2 naming the cause:\n%s", n, stderr)
	}
	if want := "zoograph crawl: cannot reach " + endpoint + ": dial tcp"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	for _, out := range []string{stdout, stderr} {
		if strings.Contains(out, "interrupted") || strings.Contains(out, "resum") {
			t.Errorf("output speaks of an interruption or of resuming:\n%s", out)
		}
	}
	if !strings.Contains(stdout, "nothing was stored") {
		t.Errorf("summary:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, ".crawl")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("crawl state left behind: %v", err)
	}
	t.Logf("gave up after %v", time.Since(start))

	// The next crawl starts, once the Hub answers.
	_, url := crawlHub(t, hubtest.Options{})
	if code, _, stderr := runCrawlCmd(context.Background(), "models", "--out", dir, "--limit", "5", "--endpoint", url, "--quota", "none"); code != exitOK {
		t.Errorf("crawl after the failed one: exit %d\n%s", code, stderr)
	}
}

func TestPauseLine(t *testing.T) {
	until := time.Date(2026, 12, 7, 22, 10, 5, 0, time.Local)
	got := pauseLine(hub.Pause{Bucket: "api", Until: until, Wait: 299600 * time.Millisecond})
	if want := "Hub rate limit: the api window is spent; waiting 5m0s for its reset at 22:10:05 (Ctrl-C stops, --resume continues)"; got != want {
		t.Errorf("pauseLine = %q, want %q", got, want)
	}
}

func TestRetryLine(t *testing.T) {
	err := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	got := retryLine(hub.Retry{URL: "http://127.0.0.1:9/api/models?limit=5&expand=a", Attempt: 2, Wait: 1234 * time.Millisecond,
		Err: fmt.Errorf("hub: GET x: %w", err)})
	if want := "GET http://127.0.0.1:9/api/models: dial tcp: connect: connection refused; retry 2 in 1.2s"; got != want {
		t.Errorf("retryLine = %q, want %q", got, want)
	}
	got = retryLine(hub.Retry{URL: "http://h/api/models", Attempt: 1, Wait: time.Second, Err: &hub.Error{Status: 503}})
	if want := "GET http://h/api/models: 503 Service Unavailable; retry 1 in 1s"; got != want {
		t.Errorf("retryLine = %q, want %q", got, want)
	}
}
