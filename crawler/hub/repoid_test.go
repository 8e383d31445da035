package hub_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/crawler/hub"
)

func TestValidateRepoID(t *testing.T) {
	valid := []string{
		"gpt2", "google/vit-base-patch16-224", "meta-llama/Llama-3.1-8B-Instruct", "a/b", "_x/y_",
		"Qwen/Qwen2.5-0.5B", "user_1/model.v2", "a/" + strings.Repeat("x", 96),
	}
	invalid := []string{
		"", "/", "a/", "/b", "a/b/c", "a//b", "..", "a/..", "../a", "a/b..c", "a--b/c", "a/b.git",
		"-a/b", "a/b-", ".a/b", "a/b.", "a b/c", "a/b\n", "a/b\x00", "a/ü", "a/b?", "a/b#x", "a/b%2F",
		"a/" + strings.Repeat("x", 97), strings.Repeat("x", 97) + "/b",
	}
	for _, id := range valid {
		if err := hub.ValidateRepoID(id); err != nil {
			t.Errorf("ValidateRepoID(%q) = %v, want nil", id, err)
		}
	}
	for _, id := range invalid {
		if err := hub.ValidateRepoID(id); !errors.Is(err, hub.ErrInvalidRepoID) {
			t.Errorf("ValidateRepoID(%q) = %v, want ErrInvalidRepoID", id, err)
		}
	}
}

// FuzzValidateRepoID: whatever passes is safe to put in a URL path as is:
// one or two segments, nothing to escape, no dot segments.
func FuzzValidateRepoID(f *testing.F) {
	for _, s := range []string{"gpt2", "a/b", "../x", "a/b/c", "a--b", "ü/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if hub.ValidateRepoID(id) != nil {
			return
		}
		parts := strings.Split(id, "/")
		if len(parts) > 2 {
			t.Fatalf("%q: %d segments", id, len(parts))
		}
		for _, p := range parts {
			if p == "" || p == "." || p == ".." || url.PathEscape(p) != p {
				t.Fatalf("%q: unsafe segment %q", id, p)
			}
		}
	})
}
