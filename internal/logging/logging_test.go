package logging

import (
	"bytes"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"
)

func TestParseLevel(t *testing.T) {
	cases := map[string]zapcore.Level{
		"all": zapcore.DebugLevel, "debug": zapcore.DebugLevel, "info": zapcore.InfoLevel,
		"warn": zapcore.WarnLevel, "error": zapcore.ErrorLevel, "none": zapcore.FatalLevel + 1,
	}
	for name, want := range cases {
		got, err := ParseLevel(name)
		if err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := ParseLevel("verbose"); err == nil {
		t.Error("ParseLevel accepted an unknown level")
	}
}

func TestSetLevelAtRuntime(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewWithSink("info", zapcore.AddSync(&buf))
	if err != nil {
		t.Fatal(err)
	}
	l.V(1).Info("hidden")
	l.Info("shown", "nodeName", "n1")
	if err := l.SetLevel("debug"); err != nil {
		t.Fatal(err)
	}
	l.V(1).Info("debugShown")
	if err := l.SetLevel("none"); err != nil {
		t.Fatal(err)
	}
	l.Error(nil, "silenced")
	out := buf.String()
	for _, want := range []string{`"msg":"shown"`, `"nodeName":"n1"`, `"msg":"debugShown"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"hidden", "silenced"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("output has %s:\n%s", unwanted, out)
		}
	}
}

func TestApplyLevel(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewWithSink("info", zapcore.AddSync(&buf))
	if err != nil {
		t.Fatal(err)
	}
	l.ApplyLevel("debug")
	if l.Level() != zapcore.DebugLevel {
		t.Errorf("level = %v after ApplyLevel(debug)", l.Level())
	}
	l.ApplyLevel("verbose")
	if l.Level() != zapcore.DebugLevel {
		t.Errorf("an unknown name changed the level to %v", l.Level())
	}
	out := buf.String()
	for _, want := range []string{`"msg":"log level set"`, `"msg":"cannot change the log level"`, `"level":"verbose"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}
