package main

import (
	"bytes"
	"io"
	"regexp"
	"sync"
)

// passwordRE matches what the reloader hides in its output: from "password"
// to the end of the line, as `sed 's/password.*/password <retracted>/g'`.
var passwordRE = regexp.MustCompile(`password.*`)

// redact replaces every password and what follows it on the line.
func redact(s string) string {
	return passwordRE.ReplaceAllString(s, "password <retracted>")
}

// redactWriter passes whole lines through redact before writing them. A line
// is held until its newline arrives (or Flush), so a password split across
// writes is still hidden. It is safe for concurrent use.
type redactWriter struct {
	mu      sync.Mutex
	w       io.Writer
	pending []byte
}

func newRedactWriter(w io.Writer) *redactWriter {
	return &redactWriter{w: w}
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
	if _, err := io.WriteString(r.w, redact(string(lines))); err != nil {
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
	line := redact(string(r.pending)) + "\n"
	r.pending = r.pending[:0]
	_, err := io.WriteString(r.w, line)
	return err
}
