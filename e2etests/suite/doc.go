// Package suite is the frr-k8s end-to-end Ginkgo suite. It runs against an
// environment that is already up: the local demo (hack/e2e.sh, `make e2e`)
// or a real cluster such as kind. The environment is described by
// FRRK8S_E2E_* variables (see env_test.go and ../README.md); without them
// the suite skips. It holds tests only.
package suite
