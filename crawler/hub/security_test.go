package hub_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zoograph/zoograph/crawler/hub"
)

// TestRedirectToAnotherHostDropsToken: the token goes to the endpoint's
// origin only; a redirect elsewhere is followed without it.
func TestRedirectToAnotherHostDropsToken(t *testing.T) {
	var mu sync.Mutex
	var otherAuth []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		otherAuth = append(otherAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Write([]byte("# card served by a CDN\n"))
	}))
	defer other.Close()
	var endpointAuth string
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		endpointAuth = r.Header.Get("Authorization")
		http.Redirect(w, r, other.URL+"/cdn/README.md", http.StatusFound)
	}))
	defer endpoint.Close()

	c := newClient(t, endpoint.URL, withToken(testToken))
	card, err := c.ModelCard(context.Background(), "acme/model")
	if err != nil {
		t.Fatal(err)
	}
	if string(card.Text) != "# card served by a CDN\n" || card.RepoID != "acme/model" {
		t.Errorf("card %+v", card)
	}
	if endpointAuth != "Bearer "+testToken {
		t.Errorf("endpoint got Authorization %q", endpointAuth)
	}
	if len(otherAuth) != 1 || otherAuth[0] != "" {
		t.Errorf("other host got Authorization %q", otherAuth)
	}
}

func TestTokenRefusedOverPlainHTTP(t *testing.T) {
	tests := []struct {
		endpoint string
		ok       bool
	}{
		{"http://huggingface.example", false},
		{"http://10.0.0.1:8080", false},
		{"http://127.0.0.1:8080", true},
		{"http://[::1]:8080", true},
		{"http://localhost:8080", true},
		{"https://huggingface.co", true},
		{"https://mirror.example/hf/", true},
	}
	for _, tt := range tests {
		_, err := hub.New(hub.Options{Endpoint: tt.endpoint, Token: testToken})
		if got := err == nil; got != tt.ok {
			t.Errorf("New(%s): err = %v", tt.endpoint, err)
		}
		if !tt.ok && !errors.Is(err, hub.ErrInsecureToken) {
			t.Errorf("New(%s): err = %v, want ErrInsecureToken", tt.endpoint, err)
		}
		if err != nil && strings.Contains(err.Error(), testToken) {
			t.Errorf("error reveals the token: %v", err)
		}
		// Anonymous clients may use plain http anywhere.
		if _, err := hub.New(hub.Options{Endpoint: tt.endpoint}); err != nil {
			t.Errorf("anonymous New(%s): %v", tt.endpoint, err)
		}
	}
	for _, bad := range []string{"ftp://x", "huggingface.co", "https://", "https://user:pw@host", "https://h/?q=1"} {
		if _, err := hub.New(hub.Options{Endpoint: bad}); err == nil {
			t.Errorf("New(%q): no error", bad)
		}
	}
	if _, err := hub.New(hub.Options{Endpoint: "https://h", Token: "hf_bad token"}); err == nil || strings.Contains(err.Error(), "hf_bad") {
		t.Errorf("malformed token: %v", err)
	}
}

// TestTokenNeverLogged: debug logs and errors of a failing, retried call
// do not contain the token.
func TestTokenNeverLogged(t *testing.T) {
	srv, _ := scripted(t, status(503), status(401, "X-Error-Message", "Invalid credentials in Authorization header"))
	var logs bytes.Buffer
	c := newClient(t, srv.URL, func(o *hub.Options) {
		o.Token = testToken
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	_, err := c.Model(context.Background(), "a/b", hub.DetailOptions{})
	if !errors.Is(err, hub.ErrUnauthorized) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(logs.String(), "hub retry") {
		t.Errorf("no retry logged: %s", logs.String())
	}
	if strings.Contains(logs.String(), testToken) || strings.Contains(err.Error(), testToken) || strings.Contains(c.Endpoint(), testToken) {
		t.Error("the token appears in logs or errors")
	}
}

func TestEndpointAndTokenFromEnv(t *testing.T) {
	t.Setenv("HF_ENDPOINT", "http://127.0.0.1:9999/")
	if got := hub.EndpointFromEnv(); got != "http://127.0.0.1:9999" {
		t.Errorf("EndpointFromEnv = %q", got)
	}
	t.Setenv("HF_ENDPOINT", "")
	if got := hub.EndpointFromEnv(); got != hub.DefaultEndpoint {
		t.Errorf("EndpointFromEnv = %q", got)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte("  hf_fromfile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HF_TOKEN", "hf_fromenv")
	t.Setenv("HUGGING_FACE_HUB_TOKEN", "hf_legacy")
	t.Setenv("HF_TOKEN_PATH", "")
	for _, tt := range []struct {
		setup func()
		file  string
		want  string
	}{
		{func() {}, file, "hf_fromfile"},
		{func() {}, "", "hf_fromenv"},
		{func() { t.Setenv("HF_TOKEN", "") }, "", "hf_legacy"},
		{func() { t.Setenv("HUGGING_FACE_HUB_TOKEN", ""); t.Setenv("HF_TOKEN_PATH", file) }, "", "hf_fromfile"},
		{func() { t.Setenv("HF_TOKEN_PATH", "") }, "", ""},
	} {
		tt.setup()
		got, err := hub.TokenFromEnv(tt.file)
		if err != nil || got != tt.want {
			t.Errorf("TokenFromEnv(%q) = %q, %v; want %q", tt.file, got, err, tt.want)
		}
	}
	for name, content := range map[string]string{"empty": " \n", "two words": "hf_a hf_b", "huge": strings.Repeat("x", 5000)} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		if _, err := hub.TokenFromEnv(p); err == nil || strings.Contains(err.Error(), "hf_a") {
			t.Errorf("%s token file: err = %v", name, err)
		}
	}
	if _, err := hub.TokenFromEnv(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing token file: no error")
	}
}

// TestErrorMessageEscapesControls: the message of an error answer is the
// server's text; it reaches the user's terminal inside the error, so its
// control characters are escaped.
func TestErrorMessageEscapesControls(t *testing.T) {
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(404)
			w.Write([]byte(`{"error":"Repository not found\u001b]0;owned\u0007\u001b[2J\u009b"}`))
		}},
		{"header", status(404, "X-Error-Message", "Repository not found\u009b]0;owned\u202e")}, // net/http refuses C0 in headers
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := scripted(t, tt.handler)
			c := newClient(t, srv.URL, nil)
			_, err := c.Model(context.Background(), "a/b", hub.DetailOptions{})
			if !errors.Is(err, hub.ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\x1b\x07\u009b\u202e") || !strings.Contains(msg, `]0;owned`) {
				t.Errorf("error %q: want its control characters escaped", msg)
			}
		})
	}
}
