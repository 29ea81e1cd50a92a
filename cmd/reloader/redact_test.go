package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRedactWriterHidesConfigValues checks what reloader.go gets by calling
// setRedactor(newRedactor(<frr.conf text>)) before each check and apply:
// frr-reload.py echoing a password without its keyword is hidden, and so is
// every abbreviation of the keyword.
func TestRedactWriterHidesConfigValues(t *testing.T) {
	conf := "router bgp 64512\n neighbor 192.0.2.1 passw l0ngS3cret\n nei 192.0.2.2 pa xy\n"
	var buf bytes.Buffer
	w := newRedactWriter(&buf)
	w.setRedactor(newRedactor(conf))
	out := "line 2: % Unknown command: l0ngS3cret\nNew: neighbor 192.0.2.2 pa xy\nvalue xy alone\n"
	if _, err := w.Write([]byte(out)); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, secret := range []string{"l0ngS3cret", " xy"} {
		if strings.Contains(got, secret) {
			t.Errorf("output keeps %q:\n%s", secret, got)
		}
	}
}

func TestRedactAbbreviations(t *testing.T) {
	for _, kw := range []string{"pa", "pas", "pass", "passw", "passwo", "passwor", "password"} {
		in := " neighbor 192.0.2.1 " + kw + " s3cret\n"
		if got := redact(in); strings.Contains(got, "s3cret") {
			t.Errorf("redact(%q) = %q", in, got)
		}
	}
}
