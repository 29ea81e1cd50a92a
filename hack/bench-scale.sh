#!/usr/bin/env bash
# Runs the scale benchmark (docs/performance.md): a real API server with
# 3,000 Nodes and 6,000 FRRConfigurations, one /frr-k8s daemon measured with
# a fake hand-off and, when FRR is usable here, with a real FRR 8.4.
# Arguments are passed to the benchmark, e.g.
#   hack/bench-scale.sh -frr=off -nodes=300 -report=/tmp/scale.md
# (see the flags at the top of hack/bench-scale/scale_test.go).
set -euo pipefail
cd "$(dirname "$0")/.."
KUBEBUILDER_ASSETS="$(hack/envtest-assets.sh)"
export KUBEBUILDER_ASSETS
exec go test -tags benchscale -count=1 -v -timeout 30m -run '^TestScale$' ./hack/bench-scale -args "$@"
