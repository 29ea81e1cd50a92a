// Command statuscleaner is /statuscleaner, the frr-k8s Deployment: it
// serves the FRRConfiguration validating webhook, deletes the
// FRRNodeStates of nodes without a daemon pod, follows the log level of
// FRRK8sConfiguration and rotates the webhook certificate. This file parses
// flags and starts the manager; statuscleaner.go
// wires the pieces.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/frrk8s/frrk8s/internal/logging"
	"github.com/frrk8s/frrk8s/internal/version"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run starts the statuscleaner and returns its exit code.
func run(args []string) int {
	s, err := parseParams(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "statuscleaner: %v\n", err)
		return 1
	}
	logger, err := logging.New(s.LogLevel)
	if err != nil {
		fmt.Fprintf(os.Stderr, "statuscleaner: %v\n", err)
		return 1
	}
	ctrl.SetLogger(logger.Logger)
	log := logger.WithName("setup")
	log.Info("starting statuscleaner", "version", version.Version(), "commit", version.GitCommit(), "branch", version.GitBranch())
	log.Info("parameters", "params", s.params)

	cfg, err := ctrl.GetConfig()
	if err != nil {
		log.Error(err, "cannot reach the API server")
		return 1
	}
	if err := start(ctrl.SetupSignalHandler(), cfg, s, logger); err != nil {
		log.Error(err, "statuscleaner stopped")
		return 1
	}
	return 0
}
