package frrk8sctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"

	corev1 "k8s.io/api/core/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/convert"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/frr/frrcheck"
	"github.com/frrk8s/frrk8s/internal/logging"
)

// Exit codes of the commands.
const (
	// ExitOK means the command succeeded.
	ExitOK = 0
	// ExitInvalid means bad flags, undecodable input, a conversion error or
	// a config that vtysh rejected.
	ExitInvalid = 1
	// ExitUnreadable means an input path does not exist or cannot be read.
	ExitUnreadable = 2
)

// DefaultNamespace is the daemon namespace assumed when --namespace is not given.
const DefaultNamespace = "frr-k8s-system"

// Options are the flags shared by render and validate.
type Options struct {
	// NodeName is the node to render for.
	NodeName string
	// NodeLabels overrides the node's labels when not nil.
	NodeLabels map[string]string
	// Namespace is the daemon namespace.
	Namespace string
	// Hostname is printed in frr.conf; empty means os.Hostname().
	Hostname string
	// AlwaysBlock is the --always-block value.
	AlwaysBlock string
	// LogLevel is the frr-k8s log level.
	LogLevel string
	// Paths are the input files and directories.
	Paths []string
	// Vtysh is the vtysh binary for validate; empty looks it up on $PATH.
	Vtysh string
}

// Render produces the frr.conf the daemon would write for the node.
func Render(o Options, warn io.Writer) (string, error) {
	if o.NodeName == "" {
		return "", errors.New("--node-name is required")
	}
	if len(o.Paths) == 0 {
		return "", errors.New("at least one -f PATH is required")
	}
	if _, err := logging.ParseLevel(o.LogLevel); err != nil {
		return "", err
	}
	alwaysBlock, err := convert.ParseAlwaysBlock(o.AlwaysBlock)
	if err != nil {
		return "", fmt.Errorf("invalid --always-block: %w", err)
	}
	in, err := Load(o.Paths, warn)
	if err != nil {
		return "", err
	}
	hostname := o.Hostname
	if hostname == "" {
		if hostname, err = os.Hostname(); err != nil {
			return "", fmt.Errorf("reading the hostname: %w", err)
		}
	}
	selected, err := convert.Select(inNamespace(in.Configs, o.Namespace), nodeLabels(o, in.Nodes))
	if err != nil {
		return "", err
	}
	model, err := convert.Convert(convert.Input{
		Configs:     selected,
		Secrets:     convert.SecretsByName(secretsByName(in.Secrets, o.Namespace)),
		AlwaysBlock: alwaysBlock,
		LogLevel:    o.LogLevel,
	})
	if err != nil {
		return "", err
	}
	model.Hostname = hostname
	return frr.Render(model)
}

// Validate renders and, when vtysh is available, dry-runs the result. The
// returned message is the line to print on success.
func Validate(ctx context.Context, o Options, warn io.Writer) (string, error) {
	text, err := Render(o, warn)
	if err != nil {
		return "", err
	}
	vtysh := o.Vtysh
	if vtysh == "" {
		vtysh, err = exec.LookPath("vtysh")
		if err != nil {
			return "FRR is not installed (no vtysh on $PATH): only the rendering was checked, and it succeeded", nil
		}
	}
	out, err := frrcheck.DryRun(ctx, vtysh, text)
	if err != nil {
		if errors.Is(err, frrcheck.ErrRejected) {
			return "", &RejectedError{Output: out, Err: err}
		}
		return "", fmt.Errorf("running vtysh: %w", err)
	}
	return fmt.Sprintf("configuration for node %s accepted by %s --dryrun", o.NodeName, vtysh), nil
}

// RejectedError carries vtysh's output for a rejected configuration.
type RejectedError struct {
	// Output is what vtysh printed.
	Output string
	// Err is the dry-run error.
	Err error
}

// Error returns vtysh's output, or the error when it printed nothing.
func (e *RejectedError) Error() string {
	if e.Output != "" {
		return e.Output
	}
	return e.Err.Error()
}

// Unwrap returns the dry-run error.
func (e *RejectedError) Unwrap() error { return e.Err }

// ExitCode maps an error of Render or Validate to the process exit code.
func ExitCode(err error) int {
	var re *ReadError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &re):
		return ExitUnreadable
	default:
		return ExitInvalid
	}
}

// nodeLabels picks the labels: the flag, else the Node object, else the
// hostname label the kubelet would set.
func nodeLabels(o Options, nodes []corev1.Node) map[string]string {
	if o.NodeLabels != nil {
		return o.NodeLabels
	}
	for _, n := range nodes {
		if n.Name == o.NodeName {
			return n.Labels
		}
	}
	return map[string]string{corev1.LabelHostname: o.NodeName}
}

// inNamespace keeps the configs of the namespace; objects without one are
// treated as in it.
func inNamespace(configs []v1beta1.FRRConfiguration, ns string) []v1beta1.FRRConfiguration {
	var out []v1beta1.FRRConfiguration
	for _, c := range configs {
		if c.Namespace == "" {
			c.Namespace = ns
		}
		if c.Namespace == ns {
			out = append(out, c)
		}
	}
	return out
}

// secretsByName indexes the namespace's Secrets by name.
func secretsByName(secrets []corev1.Secret, ns string) map[string]corev1.Secret {
	out := map[string]corev1.Secret{}
	for _, s := range secrets {
		if s.Namespace == "" || s.Namespace == ns {
			out[s.Name] = s
		}
	}
	return out
}
