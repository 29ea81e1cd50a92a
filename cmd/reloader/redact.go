package main

import (
	"bytes"
	"io"
	"sync"

	pwredact "github.com/frrk8s/frrk8s/internal/redact"
)

// redactor hides passwords in the reloader's output and last-error: by
// pattern (every spelling of the password keyword FRR accepts, down to
// "pa") and by value (every password set in the frr.conf being applied).
type redactor = pwredact.Redactor

// newRedactor returns a redactor knowing the passwords of confText, the
// frr.conf about to be checked and applied. The reloader builds one per
// reload, after reading the file, and hands it to its writers with
// setRedactor.
func newRedactor(confText string) *redactor {
	return pwredact.New(confText)
}

// redact hides passwords by pattern only, and the values s itself sets.
func redact(s string) string {
	return pwredact.String(s)
}

// redactWriter passes whole lines through a redactor before writing them. A
// line is held until its newline arrives (or Flush), so a password split
// across writes is still hidden. It is safe for concurrent use.
type redactWriter struct {
	mu       sync.Mutex
	w        io.Writer
	redactor *redactor // nil: redact by pattern and the line's own values
	pending  []byte
}

// newRedactWriter returns a writer that redacts by pattern until
// setRedactor gives it the passwords of a config.
func newRedactWriter(w io.Writer) *redactWriter {
	return &redactWriter{w: w}
}

// setRedactor makes the writer also hide the values r knows.
func (r *redactWriter) setRedactor(red *redactor) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.redactor = red
}

// redactLocked redacts s with the writer's redactor.
func (r *redactWriter) redactLocked(s string) string {
	if r.redactor == nil {
		return redact(s)
	}
	return pwredact.String(r.redactor.Redact(s))
}

// Write buffers p and writes out every completed line, redacted.
func (r *redactWriter) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending = append(r.pending, p...)
	end := bytes.LastIndexByte(r.pending, '\n')
	if end < 0 {
		return len(p), nil
	}
	lines := r.pending[:end+1]
	if _, err := io.WriteString(r.w, r.redactLocked(string(lines))); err != nil {
		return 0, err
	}
	r.pending = append(r.pending[:0], r.pending[end+1:]...)
	return len(p), nil
}

// Flush writes a pending incomplete line, redacted, followed by a newline.
func (r *redactWriter) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) == 0 {
		return nil
	}
	line := r.redactLocked(string(r.pending)) + "\n"
	r.pending = r.pending[:0]
	_, err := io.WriteString(r.w, line)
	return err
}
