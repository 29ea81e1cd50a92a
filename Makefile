# frr-k8s build, code generation and tests.
SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

LOCALBIN ?= $(CURDIR)/bin
CONTROLLER_GEN_VERSION ?= v0.17.3
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
HELM_VERSION ?= v3.22.0
HELM ?= $(LOCALBIN)/helm
IMG ?= quay.io/metallb/frr-k8s:main
GO_TEST_FLAGS ?= -timeout 45m
VERSION_PKG := github.com/frrk8s/frrk8s/internal/version
GIT_COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_BRANCH ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo dev)
LDFLAGS := -X $(VERSION_PKG).gitCommit=$(GIT_COMMIT) -X $(VERSION_PKG).gitBranch=$(GIT_BRANCH)
BINARIES := $(notdir $(wildcard cmd/*))

.PHONY: all
all: build

##@ Tools

$(LOCALBIN):
	mkdir -p $(LOCALBIN)

.PHONY: controller-gen
controller-gen: $(LOCALBIN) ## Install the pinned controller-gen into bin/.
	@if ! $(CONTROLLER_GEN) --version 2>/dev/null | grep -q $(CONTROLLER_GEN_VERSION); then \
		echo "installing controller-gen $(CONTROLLER_GEN_VERSION)"; \
		GOBIN=$(LOCALBIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_GEN_VERSION); \
	fi

.PHONY: envtest-assets
envtest-assets: ## Build (once) and cache kube-apiserver, etcd and kubectl for envtest.
	@hack/envtest-assets.sh >/dev/null

.PHONY: metallb-assets
metallb-assets: ## Build (once) and cache MetalLB's controller, speaker and CRDs (the version is pinned in hack/metallb-assets.sh).
	@hack/metallb-assets.sh >/dev/null

.PHONY: helm
helm: ## Install the pinned helm into bin/.
	@HELM_VERSION=$(HELM_VERSION) hack/install-helm.sh >/dev/null

.PHONY: frr10
frr10: ## Build (once) and cache the Debian trixie chroot with FRR 10 for the tests.
	@hack/frr10-chroot.sh >/dev/null

.PHONY: deps
deps: ## Install the system packages the tests need (FRR, iproute2); needs root and apt.
	@hack/install-deps.sh

##@ Generate

.PHONY: manifests
manifests: controller-gen envtest-assets ## Generate the CRDs, RBAC and webhook manifests, their chart copies and the all-in-one files.
	$(CONTROLLER_GEN) rbac:roleName=daemon-role crd webhook paths=./... output:crd:artifacts:config=config/crd/bases
	@if [ -d charts/frr-k8s/charts/crds/templates ]; then cp config/crd/bases/*.yaml charts/frr-k8s/charts/crds/templates/; fi
	@hack/generate-all-in-one.sh

.PHONY: generate
generate: controller-gen ## Generate the deepcopy code.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./api/...

.PHONY: fmt
fmt: ## Run gofmt on the tree.
	gofmt -l -w $$(git ls-files '*.go' | grep -v '^vendor/') 

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: verify
verify: manifests generate ## Fail when generated files (CRDs, RBAC, deepcopy) or formatting are stale.
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed on:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	@if ! git diff --quiet -- api config charts; then \
		echo "generated files are stale; run 'make manifests generate' and commit:"; \
		git --no-pager diff --stat -- api config charts; exit 1; fi
	@if [ -n "$$(git ls-files --others --exclude-standard -- api config charts)" ]; then \
		echo "untracked generated files:"; git ls-files --others --exclude-standard -- api config charts; exit 1; fi

##@ Build and test

.PHONY: build
build: ## Build every binary into bin/.
	@mkdir -p $(LOCALBIN)
	$(if $(BINARIES),CGO_ENABLED=0 go build -ldflags "$(LDFLAGS)" -o $(LOCALBIN)/ $(addprefix ./cmd/,$(BINARIES)),@echo "no binaries yet")

.PHONY: test
test: deps envtest-assets metallb-assets frr10 helm verify vet build ## Run every test: unit, API server (envtest), real FRR, then the e2e suite and demo-metallb against the demo.
	rc=0; GO_TEST_FLAGS="$(GO_TEST_FLAGS)" hack/run-tests.sh || rc=$$?; \
	hack/e2e.sh || rc=$$?; \
	exit $$rc

.PHONY: verify-manifests
verify-manifests: helm envtest-assets ## Render, lint and dry-run the chart and kustomize tree; samples, RBAC, Dockerfile.
	hack/verify-manifests.sh

.PHONY: generate-all-in-one
generate-all-in-one: ## Regenerate config/all-in-one from config/default and config/prometheus.
	hack/generate-all-in-one.sh

.PHONY: docker-build
docker-build: ## Build the image (needs a Docker engine, which CI machines do not have).
	docker build --build-arg GIT_COMMIT=$(GIT_COMMIT) --build-arg GIT_BRANCH=$(GIT_BRANCH) -t $(IMG) .

.PHONY: test-short
test-short: ## Run the pure unit tests only (no API server, no FRR).
	go test -short ./...

.PHONY: bench
bench: ## Run the Go benchmarks of the core (conversion, rendering, hand-off, metrics, webhook).
	go test -run '^$$' -bench . -benchmem ./internal/...

.PHONY: bench-e2e
bench-e2e: deps envtest-assets frr10 ## Time FRRConfiguration writes to FRR and FRRNodeState through real FRR 8.4 and 10 (needs root).
	FRRK8S_FRR10_ROOT="$$(hack/frr10-chroot.sh)" KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh)" \
		go test ./e2etests/daemon -run '^$$' -bench ConfigToFRR -benchtime=20x -timeout 60m

.PHONY: bench-scale
bench-scale: deps envtest-assets ## Measure one node's daemon in a 3,000-node, 6,000-config cluster (docs/performance.md; needs root for the FRR column).
	hack/bench-scale.sh $(BENCH_SCALE_ARGS)

.PHONY: demo
demo: ## Run the local demo end to end and clean up (needs root).
	hack/demo/demo.sh

.PHONY: demo-metallb
demo-metallb: ## Run MetalLB's controller and speaker (FRR-K8s mode) against the local demo and check its routes; clean up (needs root).
	hack/demo/demo-metallb.sh

.PHONY: demo-up
demo-up: ## Run the local demo and leave it running.
	KEEP=1 hack/demo/demo.sh

.PHONY: demo-down
demo-down: ## Stop a demo left running by demo-up.
	hack/demo/demo.sh down

.PHONY: e2e
e2e: ## Run the Ginkgo e2e suite against the local demo environment (needs root).
	hack/e2e.sh

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z_-]+:.*?##/ { printf "  %-18s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
