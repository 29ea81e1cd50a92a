// Command frrk8sctl renders, offline, the frr.conf that frr-k8s would write
// for a node, and checks it with a local vtysh.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/frrk8sctl"
)

const usage = `frrk8sctl renders the frr.conf that frr-k8s would write for a node, offline.

Usage:
  frrk8sctl render   --node-name NODE -f PATH [-f PATH ...] [flags]
  frrk8sctl validate --node-name NODE -f PATH [-f PATH ...] [flags] [--vtysh PATH]

render prints frr.conf on stdout. validate renders the same way, then checks
the result with "vtysh --dryrun" when FRR is installed.

PATH is a multi-document YAML file, or a directory of *.yaml/*.yml files,
holding FRRConfigurations, Secrets and optionally Node objects.

Exit codes: 0 success, 1 invalid input or rejected config, 2 unreadable path.

Run "frrk8sctl render --help" for the flags.
`

// pathList collects repeated -f flags.
type pathList []string

func (p *pathList) String() string     { return strings.Join(*p, ",") }
func (p *pathList) Set(v string) error { *p = append(*p, v); return nil }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return frrk8sctl.ExitInvalid
		}
		return frrk8sctl.ExitOK
	}
	cmd := args[0]
	if cmd != "render" && cmd != "validate" {
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return frrk8sctl.ExitInvalid
	}
	opts, code, ok := parseFlags(cmd, args[1:], stderr)
	if !ok {
		return code
	}
	if cmd == "render" {
		text, err := frrk8sctl.Render(opts, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "error:", err)
			return frrk8sctl.ExitCode(err)
		}
		fmt.Fprint(stdout, text)
		return frrk8sctl.ExitOK
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	msg, err := frrk8sctl.Validate(ctx, opts, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return frrk8sctl.ExitCode(err)
	}
	fmt.Fprintln(stdout, msg)
	return frrk8sctl.ExitOK
}

// parseFlags reads the flags of render and validate.
func parseFlags(cmd string, args []string, stderr io.Writer) (frrk8sctl.Options, int, bool) {
	fs := flag.NewFlagSet("frrk8sctl "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		opts   frrk8sctl.Options
		paths  pathList
		labels string
	)
	fs.StringVar(&opts.NodeName, "node-name", "", "name of the node to render for (required)")
	fs.StringVar(&labels, "node-labels", "", "the node's labels as k=v,k2=v2; default: the labels of the Node named --node-name in the inputs, else kubernetes.io/hostname=NODE")
	fs.StringVar(&opts.Namespace, "namespace", frrk8sctl.DefaultNamespace, "the frr-k8s namespace: only FRRConfigurations and Secrets of this namespace count (objects without a namespace are treated as in it)")
	fs.StringVar(&opts.Hostname, "hostname", "", "hostname printed in frr.conf (default: this machine's hostname, as the daemon does)")
	fs.StringVar(&opts.AlwaysBlock, "always-block", "", "comma-separated CIDRs always rejected from every neighbor, as the daemon's flag")
	fs.StringVar(&opts.LogLevel, "log-level", "info", "frr-k8s log level that sets FRR's: all, debug, info, warn, error or none")
	fs.BoolVar(&opts.Strict, "strict", false, "fail (exit 1) on unknown fields and duplicate YAML keys, which are otherwise warnings, as the API server's default field validation reports them")
	fs.StringVar(&opts.PrefixListSeq, "prefix-list-seq", string(frr.SeqStable), "numbering of prefix-list and route-map entries, as the daemon's flag: stable (each entry's number depends on the entry alone) or position (upstream's 1, 2, 3...)")
	fs.Var(&paths, "f", "a YAML file or a directory of YAML files with FRRConfigurations, Secrets and Nodes (repeatable, at least one)")
	if cmd == "validate" {
		fs.StringVar(&opts.Vtysh, "vtysh", "", "vtysh binary for the dry run (default: vtysh on $PATH)")
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return opts, frrk8sctl.ExitOK, false
		}
		return opts, frrk8sctl.ExitInvalid, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "error: unexpected arguments %v\n", fs.Args())
		return opts, frrk8sctl.ExitInvalid, false
	}
	if labels != "" {
		parsed, err := frrk8sctl.ParseLabels(labels)
		if err != nil {
			fmt.Fprintln(stderr, "error:", err)
			return opts, frrk8sctl.ExitInvalid, false
		}
		opts.NodeLabels = parsed
	}
	opts.Paths = paths
	return opts, frrk8sctl.ExitOK, true
}
