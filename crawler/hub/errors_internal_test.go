package hub

import (
	"errors"
	"testing"
)

// TestClassify follows huggingface_hub's order: the X-Error-Code decides
// before the status, so a 404 RevisionNotFound is no plain ErrNotFound.
func TestClassify(t *testing.T) {
	tests := []struct {
		status    int
		code, msg string
		want      []error
	}{
		{404, codeRevisionNotFound, "Invalid rev id: x", []error{ErrRevisionNotFound, ErrNotFound}},
		{404, codeEntryNotFound, "", []error{ErrEntryNotFound, ErrNotFound}},
		{401, codeGatedRepo, "", []error{ErrGated}},
		{403, "", msgDisabled, []error{ErrDisabled}},
		{401, "", msgBadCredentials, []error{ErrUnauthorized}},
		{401, codeRepoNotFound, "", []error{ErrNotFound}},
		{403, "", "", []error{ErrForbidden}},
		{408, "", "", []error{ErrServer}},
		{418, "", "", []error{ErrUnexpectedStatus}},
	}
	for _, tt := range tests {
		got := classify(tt.status, tt.code, tt.msg)
		for _, want := range tt.want {
			if !errors.Is(&Error{kind: got}, want) {
				t.Errorf("classify(%d, %q, %q) = %v, want %v", tt.status, tt.code, tt.msg, got, tt.want)
			}
		}
		if len(got) != len(tt.want) {
			t.Errorf("classify(%d, %q, %q) = %v, want %v", tt.status, tt.code, tt.msg, got, tt.want)
		}
	}
}
