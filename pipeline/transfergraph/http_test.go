package transfergraph

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rawPrefix mimics the path of a raw-file URL of the TransferGraph repository.
const rawPrefix = "/TransferGraph/transfergraph/main/resources/experiments/"

// serveDir serves dir below rawPrefix+name+"/" on a loopback server, passing
// each request through hook first; hook returns true when it answered.
func serveDir(t *testing.T, dir, name string, hook func(w http.ResponseWriter, r *http.Request) bool) string {
	t.Helper()
	files := http.StripPrefix(rawPrefix+name+"/", http.FileServer(http.Dir(dir)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hook != nil && hook(w, r) {
			return
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + rawPrefix + name + "/"
}

// fastRetries shortens the retry backoff for the duration of a test.
func fastRetries(t *testing.T) {
	old := httpRetryDelay
	httpRetryDelay = time.Millisecond
	t.Cleanup(func() { httpRetryDelay = old })
}

func TestImportHTTPSameAsLocal(t *testing.T) {
	tests := []struct {
		name string
		dir  func(t *testing.T) string
	}{
		{"image_classification", func(t *testing.T) string { return imageDir(t) }},
		{"sequence_classification", func(t *testing.T) string { return textFixture }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir(t)
			var agents sync.Map
			base := serveDir(t, dir, tt.name, func(w http.ResponseWriter, r *http.Request) bool {
				agents.Store(r.Header.Get("User-Agent"), true)
				return false
			})
			local, localRep, err := Import(context.Background(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			remote, remoteRep, err := Import(context.Background(), base, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(local, remote, equateNaN); diff != "" {
				t.Errorf("tables over HTTP differ (-local +http):\n%s", diff)
			}
			if diff := cmp.Diff(localRep, remoteRep); diff != "" {
				t.Errorf("report over HTTP differs (-local +http):\n%s", diff)
			}
			agents.Range(func(k, _ any) bool {
				if !strings.HasPrefix(k.(string), "zoograph") {
					t.Errorf("User-Agent %q, want zoograph's", k)
				}
				return true
			})
		})
	}
}

func TestImportHTTPBaseWithoutSlash(t *testing.T) {
	base := serveDir(t, textFixture, "sequence_classification", nil)
	_, rep, err := Import(context.Background(), strings.TrimSuffix(base, "/"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts["finetunes"] != 20 {
		t.Errorf("finetunes = %d, want 20", rep.Counts["finetunes"])
	}
}

func TestImportHTTPFailures(t *testing.T) {
	fastRetries(t)
	tests := []struct {
		name     string
		file     string // the file the server fails
		status   int
		failures int32  // how many requests of file fail; 0 = all
		want     string // error substring after the base URL; "" = success
		notFound bool
	}{
		{name: "500 on a core file", file: fileConfig, status: 500, want: fileConfig + ": 500 Internal Server Error"},
		{name: "503 on the distances", file: layouts[TaskText].distances, status: 503, want: layouts[TaskText].distances + ": 503"},
		{name: "404 on records", file: fileRecords, status: 404, want: fileRecords + ": 404 Not Found", notFound: true},
		{name: "404 on a core file", file: fileScores, status: 404, want: fileScores + ": 404 Not Found", notFound: true},
		{name: "403 is not retried", file: fileFeatures, status: 403, want: fileFeatures + ": 403 Forbidden"},
		{name: "404 on a result table is skipped", file: "result_analysis/pearson_correlation.csv", status: 404},
		{name: "500 on a result table is an error", file: "result_analysis/w-kendall_correlation.csv", status: 500, want: "result_analysis/w-kendall_correlation.csv: 500"},
		{name: "transient 500 is retried", file: fileConfig, status: 500, failures: 2},
		{name: "429 is retried", file: fileScores, status: 429, failures: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var failed atomic.Int32
			base := serveDir(t, textFixture, "sequence_classification", func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/"+tt.file) {
					return false
				}
				if tt.failures > 0 && failed.Load() >= tt.failures {
					return false
				}
				failed.Add(1)
				if tt.status == 429 {
					w.Header().Set("Retry-After", "0")
				}
				http.Error(w, "no", tt.status)
				return true
			})
			_, rep, err := Import(context.Background(), base, Options{})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Import: %v", err)
				}
				if tt.failures == 0 && len(rep.ResultTables) != 1 {
					t.Errorf("result tables %v, want only the one served", rep.ResultTables)
				}
				return
			}
			if err == nil {
				t.Fatalf("Import succeeded, want an error containing %q", base+tt.want)
			}
			if !strings.Contains(err.Error(), base+tt.want) {
				t.Errorf("error %q does not name %q", err, base+tt.want)
			}
			if errors.Is(err, ErrNotFound) != tt.notFound {
				t.Errorf("errors.Is(err, ErrNotFound) = %v, want %v", !tt.notFound, tt.notFound)
			}
			wantAttempts := int32(1)
			if tt.status >= 500 {
				wantAttempts = int32(httpAttempts)
			}
			if got := failed.Load(); got != wantAttempts {
				t.Errorf("%d requests of %s, want %d", got, tt.file, wantAttempts)
			}
		})
	}
}

func TestImportHTTPCanceled(t *testing.T) {
	started := make(chan struct{}, 1)
	base := serveDir(t, textFixture, "sequence_classification", func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/"+fileScores) {
			return false
		}
		select {
		case started <- struct{}{}:
		default:
		}
		<-r.Context().Done() // hang until the client gives up
		return true
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	done := make(chan error, 1)
	go func() {
		_, _, err := Import(ctx, base, Options{})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Import did not return after cancellation")
	}
}

func TestImportHTTPBodyLimit(t *testing.T) {
	old := maxBodyBytes
	maxBodyBytes = 1000
	t.Cleanup(func() { maxBodyBytes = old })
	base := serveDir(t, textFixture, "sequence_classification", nil)
	_, _, err := Import(context.Background(), base, Options{})
	if err == nil || !strings.Contains(err.Error(), base+fileRecords) || !strings.Contains(err.Error(), "1000 bytes") {
		t.Errorf("err = %v, want the size limit naming %s", err, base+fileRecords)
	}
}

func TestImportHTTPUnreachable(t *testing.T) {
	fastRetries(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL + "/x/"
	srv.Close() // nothing listens any more
	_, _, err := Import(context.Background(), base, Options{})
	if err == nil || !strings.Contains(err.Error(), base+fileRecords) {
		t.Errorf("err = %v, want an error naming %s", err, base+fileRecords)
	}
}

// TestImportHTTPRefusesCredentials: a base URL with user info is refused
// before any request, and the error does not repeat the secret: the
// source URL is recorded in the zoo's provenance and printed in reports.
func TestImportHTTPRefusesCredentials(t *testing.T) {
	var hits atomic.Int32
	base := serveDir(t, textFixture, "sequence_classification", func(w http.ResponseWriter, r *http.Request) bool {
		hits.Add(1)
		return false
	})
	for _, userinfo := range []string{"user:s3cret@", "s3cret@"} {
		src := strings.Replace(base, "://", "://"+userinfo, 1)
		_, _, err := Import(context.Background(), src, Options{})
		if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "credentials") {
			t.Errorf("Import(%s): err = %v, want a refusal that does not repeat the secret", src, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}
