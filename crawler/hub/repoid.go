package hub

import (
	"fmt"
	"strings"
)

// Limits of a repository id, as huggingface_hub's validate_repo_id enforces
// them: an optional namespace and a name, each of [A-Za-z0-9_.-], each
// starting and ending with [A-Za-z0-9_], each at most 96 characters; no
// "--" or "..", no ".git" suffix, at most one slash.
const maxRepoPartLen = 96

// ValidateRepoID checks a repository id ("owner/name", or a legacy
// single-segment id such as "gpt2") before it becomes part of a URL. The
// returned error wraps ErrInvalidRepoID.
func ValidateRepoID(id string) error {
	if err := validateRepoID(id); err != "" {
		return fmt.Errorf("%w %q: %s", ErrInvalidRepoID, clip(id, 120), err)
	}
	return nil
}

func validateRepoID(id string) string {
	if id == "" {
		return "empty"
	}
	if strings.Count(id, "/") > 1 {
		return "more than one slash"
	}
	if strings.Contains(id, "--") || strings.Contains(id, "..") {
		return `contains "--" or ".."`
	}
	if strings.HasSuffix(id, ".git") {
		return `ends with ".git"`
	}
	name := id
	if owner, n, hasOwner := strings.Cut(id, "/"); hasOwner {
		if msg := validatePart(owner); msg != "" {
			return "namespace " + msg
		}
		name = n
	}
	if msg := validatePart(name); msg != "" {
		return "name " + msg
	}
	return ""
}

func validatePart(s string) string {
	switch {
	case s == "":
		return "is empty"
	case len(s) > maxRepoPartLen:
		return fmt.Sprintf("is longer than %d characters", maxRepoPartLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isWordChar(c) && c != '-' && c != '.' {
			return fmt.Sprintf("has a forbidden character %q", s[i])
		}
	}
	if !isWordChar(s[0]) || !isWordChar(s[len(s)-1]) {
		return "must start and end with a letter, digit or underscore"
	}
	return ""
}

func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// clip shortens s for error messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
