#!/usr/bin/env bash
# Runs `go test` over the whole module against the cached envtest binaries,
# keeps the verbose log in a file and prints the package results, the
# failures and a closing "N passed, N failed, N skipped" line.
set -uo pipefail
cd "$(dirname "$0")/.."
log="${TEST_LOG:-$(mktemp -t frrk8s-test.XXXXXX.log)}"
assets="$(hack/envtest-assets.sh)" || { echo "could not prepare the envtest binaries" >&2; exit 1; }
export KUBEBUILDER_ASSETS="$assets"
# Several packages start an API server at once on 2 cores: give them time.
export KUBEBUILDER_CONTROLPLANE_START_TIMEOUT="${KUBEBUILDER_CONTROLPLANE_START_TIMEOUT:-120s}"
export KUBEBUILDER_CONTROLPLANE_STOP_TIMEOUT="${KUBEBUILDER_CONTROLPLANE_STOP_TIMEOUT:-60s}"
# FRR 10 (Debian trixie chroot) runs the real-FRR tests a second time.
if frr10_root="$(hack/frr10-chroot.sh)"; then
  export FRRK8S_FRR10_ROOT="$frr10_root"
elif [[ "${CI:-}" == true ]]; then
  echo "could not prepare the FRR 10 chroot (needs root and the Debian mirror)" >&2; exit 1
else
  echo "FRR 10 chroot unavailable; the frr10 tests will be skipped" >&2
fi
echo "go test: verbose log in $log"
go test -v -count=1 ${GO_TEST_FLAGS:--timeout 45m} -coverprofile cover.out "${@:-./...}" >"$log" 2>&1
rc=$?
# Each fuzz target for a few seconds on a full run (make fuzz runs them longer).
if [[ $# -eq 0 ]]; then
  make --no-print-directory fuzz FUZZTIME=5s >>"$log" 2>&1 || { echo "FAIL fuzz targets (see $log)"; rc=1; }
fi
# Package results, then failures and skips with the lines logged just before them.
grep -E '^(ok|FAIL|panic:)' "$log" || true
grep -E -B 25 '^\s*--- FAIL' "$log" | grep -vE '^\s*(=== (RUN|PAUSE|CONT)|--- PASS)' | tail -n 400 || true
grep -E -A 2 '^\s*--- SKIP' "$log" | tail -n 100 || true
passed=$(grep -cE '^\s*--- PASS' "$log" || true)
failed=$(grep -cE '^\s*--- FAIL' "$log" || true)
skipped=$(grep -cE '^\s*--- SKIP' "$log" || true)
if [[ $rc -ne 0 && $failed -eq 0 ]]; then
  echo "go test failed outside a test (build error, panic or timeout); see $log"
  tail -n 40 "$log"
  failed=1
fi
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit $rc
