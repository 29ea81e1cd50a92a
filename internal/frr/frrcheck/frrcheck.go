// Package frrcheck checks frr.conf texts with FRR's own parser through
// `vtysh --dryrun`. It needs no running daemon; it is a syntax smoke test,
// not proof that FRR will apply the configuration as intended.
package frrcheck

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
)

// DefaultVtysh is where Debian and the FRR images install vtysh.
const DefaultVtysh = "/usr/bin/vtysh"

// ErrRejected is wrapped by DryRun's error when vtysh ran and found errors
// in the configuration (as opposed to vtysh failing to run at all).
var ErrRejected = errors.New("configuration rejected by vtysh")

// errorLine matches the lines vtysh prints for a bad command, for example
// "line 18: % Unknown command[25]: wrong line".
var errorLine = regexp.MustCompile(`line \d+: %`)

// DryRun parses confText with `vtysh --dryrun -f` and returns vtysh's
// combined output. vtysh is the binary to run; empty means DefaultVtysh.
// The error wraps ErrRejected when vtysh exits non-zero or reports an error
// line (FRR 8.4 exits 2 on unknown and 4 on incomplete commands); it is
// another error when vtysh cannot be run or ctx ends first.
func DryRun(ctx context.Context, vtysh string, confText string) (output string, err error) {
	if vtysh == "" {
		vtysh = DefaultVtysh
	}
	path, err := writeTemp(confText)
	if err != nil {
		return "", err
	}
	defer os.Remove(path)

	out, runErr := exec.CommandContext(ctx, vtysh, "--dryrun", "-f", path).CombinedOutput()
	output = string(out)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return output, fmt.Errorf("vtysh dry run: %w", ctxErr)
	}
	return output, Verdict(output, runErr)
}

// Verdict interprets the combined output and the error of a finished
// `vtysh --dryrun -f` run (FRR 8.4 and 10 alike): nil when the configuration
// was accepted, an error wrapping ErrRejected when vtysh exited non-zero or
// printed an error line, another error when vtysh did not run at all.
func Verdict(output string, runErr error) error {
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		return fmt.Errorf("run vtysh: %w", runErr)
	}
	lines := errorLines(output)
	if runErr == nil && len(lines) == 0 {
		return nil
	}
	reason := strings.Join(lines, "; ")
	if reason == "" {
		reason = strings.TrimSpace(output)
	}
	if runErr != nil {
		reason = strings.TrimSpace(runErr.Error() + ": " + reason)
	}
	return fmt.Errorf("%w: %s", ErrRejected, reason)
}

// writeTemp stores the configuration in a temporary file for vtysh.
func writeTemp(confText string) (string, error) {
	f, err := os.CreateTemp("", "frrcheck-*.conf")
	if err != nil {
		return "", fmt.Errorf("create dry-run file: %w", err)
	}
	_, writeErr := f.WriteString(confText)
	closeErr := f.Close()
	if err := errors.Join(writeErr, closeErr); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write dry-run file: %w", err)
	}
	return f.Name(), nil
}

// errorLines returns the output lines that report a configuration error.
func errorLines(output string) []string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(output))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); errorLine.MatchString(line) {
			lines = append(lines, line)
		}
	}
	return lines
}
