// Package vtysh runs FRR's vtysh the way the frr-k8s sidecars do (through the
// VTYSH_CMD environment variable) and decodes the JSON of the show commands
// frr-status and frr-metrics read. It has no Kubernetes dependency.
package vtysh

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

// EnvVar names the environment variable holding the vtysh command line.
const EnvVar = "VTYSH_CMD"

// DefaultCommand is the vtysh command line used when EnvVar is unset or blank.
const DefaultCommand = "vtysh"

// Runner runs one vtysh command (the argument of `-c`) and returns what it
// wrote on standard output.
type Runner interface {
	Run(ctx context.Context, command string) ([]byte, error)
}

// Exec is a Runner that starts a vtysh process per command.
type Exec struct {
	// Argv is the program and its leading arguments, e.g.
	// ["vtysh", "--vty_socket", "/run/frr"]; "-c <command>" is appended.
	Argv []string
}

// ParseCommand splits a VTYSH_CMD value on whitespace (no shell quoting);
// a blank value means DefaultCommand.
func ParseCommand(value string) []string {
	if argv := strings.Fields(value); len(argv) > 0 {
		return argv
	}
	return []string{DefaultCommand}
}

// ExecFromEnv returns the Exec runner configured by EnvVar as read through
// getenv (os.Getenv in production).
func ExecFromEnv(getenv func(string) string) Exec {
	return Exec{Argv: ParseCommand(getenv(EnvVar))}
}

// Run executes `<argv> -c <command>`. A failure carries vtysh's output.
func (e Exec) Run(ctx context.Context, command string) ([]byte, error) {
	argv := e.argv()
	args := append(slices.Clone(argv[1:]), "-c", command)
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, argv[0], args...)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		detail := strings.TrimSpace(stderr.String() + "\n" + stdout.String())
		return nil, fmt.Errorf("run %q: %w: %s", command, err, detail)
	}
	return stdout.Bytes(), nil
}

// String returns the command line without the command.
func (e Exec) String() string {
	return strings.Join(e.argv(), " ")
}

func (e Exec) argv() []string {
	if len(e.Argv) == 0 {
		return []string{DefaultCommand}
	}
	return e.Argv
}
