# frr-k8s build, code generation and tests. `make help` lists the targets.
#
# Layout: variables, then one section per `##@` heading (General, Tools,
# Development, Build, Test, Benchmarks, Demo, Deployment). Each target
# sits in its section with a `## help text`; add new ones the same way.
SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

LOCALBIN ?= $(CURDIR)/bin
IMG ?= quay.io/metallb/frr-k8s:main
NAMESPACE ?= frr-k8s-system
GO_TEST_FLAGS ?= -timeout 45m
DIFF_SEEDS ?= 200
DIFF_STEPS ?= 20
DIFF_FIRST_SEED ?= 1
DIFF_CHECK_EVERY ?= 5
VERSION_PKG := github.com/frrk8s/frrk8s/internal/version
GIT_COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_BRANCH ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo dev)
LDFLAGS := -X $(VERSION_PKG).gitCommit=$(GIT_COMMIT) -X $(VERSION_PKG).gitBranch=$(GIT_BRANCH)
BINARIES := $(notdir $(wildcard cmd/*))

# Pinned tools, installed into bin/ by their targets.
CONTROLLER_GEN_VERSION ?= v0.17.3
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
KUSTOMIZE_VERSION ?= v5.8.2
KUSTOMIZE ?= $(LOCALBIN)/kustomize
HELM_VERSION ?= v3.22.0
HELM ?= $(LOCALBIN)/helm
GOLANGCI_LINT_VERSION ?= v2.15.0
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint
KUBECTL ?= kubectl

# `make run`: the controller on this machine, against $KUBECONFIG.
NODE_NAME ?= $(shell hostname)
RUN_DIR ?= /tmp/frrk8s-run
RUN_ARGS ?=

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target> [VAR=value]\n"} \
		/^[a-zA-Z0-9_-]+:.*?##/ { printf "  %-20s %s\n", $$1, $$2 } \
		/^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Tools

$(LOCALBIN):
	mkdir -p $(LOCALBIN)

.PHONY: controller-gen
controller-gen: $(LOCALBIN) ## Install the pinned controller-gen into bin/.
	@if ! $(CONTROLLER_GEN) --version 2>/dev/null | grep -q $(CONTROLLER_GEN_VERSION); then \
		echo "installing controller-gen $(CONTROLLER_GEN_VERSION)"; \
		GOBIN=$(LOCALBIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_GEN_VERSION); \
	fi

.PHONY: kustomize
kustomize: $(LOCALBIN) ## Install the pinned kustomize into bin/.
	@if ! $(KUSTOMIZE) version 2>/dev/null | grep -q $(KUSTOMIZE_VERSION); then \
		echo "installing kustomize $(KUSTOMIZE_VERSION)"; \
		GOBIN=$(LOCALBIN) go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION); \
	fi

.PHONY: metallb-assets
metallb-assets: ## Build (once) and cache MetalLB's controller, speaker and CRDs (the version is pinned in hack/metallb-assets.sh).
	@hack/metallb-assets.sh >/dev/null

.PHONY: helm
helm: ## Install the pinned helm into bin/.
	@HELM_VERSION=$(HELM_VERSION) hack/install-helm.sh >/dev/null

.PHONY: golangci-lint
golangci-lint: $(LOCALBIN) ## Install the pinned golangci-lint into bin/.
	@if ! $(GOLANGCI_LINT) version 2>/dev/null | grep -q "$(GOLANGCI_LINT_VERSION:v%=%)"; then \
		echo "installing golangci-lint $(GOLANGCI_LINT_VERSION)"; \
		GOBIN=$(LOCALBIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION); \
	fi

.PHONY: envtest-assets
envtest-assets: ## Build (once) and cache kube-apiserver, etcd and kubectl for envtest.
	@hack/envtest-assets.sh >/dev/null

.PHONY: frr10
frr10: ## Build (once) and cache the Debian trixie chroot with FRR 10 for the tests.
	@hack/frr10-chroot.sh >/dev/null

.PHONY: deps
deps: ## Install the system packages the tests need (FRR, iproute2); needs root and apt.
	@hack/install-deps.sh

##@ Development

.PHONY: manifests
manifests: controller-gen kustomize ## Generate the CRDs, RBAC and webhook manifests, their chart copies and the all-in-one files.
	$(CONTROLLER_GEN) crd webhook paths=./... output:crd:artifacts:config=config/crd/bases
	$(CONTROLLER_GEN) rbac:roleName=daemon-role paths=./internal/controller/... output:rbac:artifacts:config=config/rbac
	$(CONTROLLER_GEN) rbac:roleName=statuscleaner-role paths=./cmd/statuscleaner/... output:rbac:stdout >config/rbac/statuscleaner_role.yaml
	@if [ -d charts/frr-k8s/charts/crds/templates ]; then cp config/crd/bases/*.yaml charts/frr-k8s/charts/crds/templates/; fi
	@KUSTOMIZE=$(KUSTOMIZE) hack/generate-all-in-one.sh

.PHONY: generate
generate: controller-gen ## Generate the deepcopy code.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./api/...

.PHONY: generate-all-in-one
generate-all-in-one: kustomize ## Regenerate config/all-in-one from config/default and config/prometheus.
	KUSTOMIZE=$(KUSTOMIZE) hack/generate-all-in-one.sh

.PHONY: fmt
fmt: ## Run gofmt on the tree.
	gofmt -l -w $$(git ls-files '*.go' | grep -v '^vendor/')

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: lint
lint: golangci-lint ## Run golangci-lint with .golangci.yml.
	$(GOLANGCI_LINT) run ./...

.PHONY: verify
verify: manifests generate ## Fail when generated files (CRDs, RBAC, deepcopy, all-in-one) or formatting are stale.
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed on:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	@if ! git diff --quiet -- api config charts; then \
		echo "generated files are stale; run 'make manifests generate' and commit:"; \
		git --no-pager diff --stat -- api config charts; exit 1; fi
	@if [ -n "$$(git ls-files --others --exclude-standard -- api config charts)" ]; then \
		echo "untracked generated files:"; git ls-files --others --exclude-standard -- api config charts; exit 1; fi

.PHONY: run
run: ## Run the controller on this machine against $KUBECONFIG (NODE_NAME, NAMESPACE; frr.conf goes to RUN_DIR).
	@mkdir -p $(RUN_DIR)
	FRR_CONFIG_FILE=$(RUN_DIR)/frr.conf FRR_RELOADER_PID_FILE=$(RUN_DIR)/reloader.pid FRR_RELOADER_STATUS_DIR=$(RUN_DIR) \
		go run -ldflags "$(LDFLAGS)" ./cmd/frr-k8s-controller --node-name=$(NODE_NAME) --namespace=$(NAMESPACE) \
		--metrics-bind-address=0 --health-probe-bind-address=127.0.0.1:7572 --log-level=debug $(RUN_ARGS)

##@ Build

.PHONY: build
build: ## Build every binary into bin/.
	@mkdir -p $(LOCALBIN)
	$(if $(BINARIES),CGO_ENABLED=0 go build -ldflags "$(LDFLAGS)" -o $(LOCALBIN)/ $(addprefix ./cmd/,$(BINARIES)),@echo "no binaries yet")

.PHONY: docker-build
docker-build: ## Build the image IMG (needs a Docker engine, which CI machines do not have).
	docker build --build-arg GIT_COMMIT=$(GIT_COMMIT) --build-arg GIT_BRANCH=$(GIT_BRANCH) -t $(IMG) .

##@ Test

.PHONY: test
test: deps envtest-assets metallb-assets frr10 helm verify vet lint build ## Run everything CI runs: checks, lint, unit, API server (envtest) and real FRR tests, then test-e2e (the Ginkgo suite and demo-metallb).
	rc=0; GO_TEST_FLAGS="$(GO_TEST_FLAGS)" hack/run-tests.sh || rc=$$?; \
	$(MAKE) --no-print-directory test-e2e || rc=$$?; \
	exit $$rc

.PHONY: test-short
test-short: ## Run only the tests that need no API server, FRR or root (go test -short).
	go test -short ./...

.PHONY: test-e2e
test-e2e: ## Run the Ginkgo e2e suite against the local demo environment (needs root).
	hack/e2e.sh

.PHONY: e2e
e2e: test-e2e ## Alias of test-e2e.

.PHONY: verify-manifests
verify-manifests: helm kustomize envtest-assets ## Render, lint and dry-run the chart and kustomize tree; samples, RBAC with each account's identity, Dockerfile.
	KUSTOMIZE=$(KUSTOMIZE) hack/verify-manifests.sh

# The fuzz targets, as package:Fuzz; make fuzz runs each for FUZZTIME.
FUZZ_TARGETS ?= ./internal/convert:FuzzConvertRender ./internal/redact:FuzzRedact ./internal/frr:FuzzReadStatusFiles
FUZZTIME ?= 1m

.PHONY: fuzz
fuzz: ## Fuzz each target (conversion and rendering, redaction, status files) for FUZZTIME (1m).
	@for t in $(FUZZ_TARGETS); do go test $${t%%:*} -run '^$$' -fuzz "^$${t##*:}$$" -fuzztime $(FUZZTIME) || exit 1; done

##@ Benchmarks

.PHONY: bench
bench: ## Run the Go benchmarks of the core (conversion, rendering, hand-off, metrics, webhook) and time frrk8sctl render processes.
	go test -run '^$$' -bench . -benchmem ./internal/...
	@echo "render workload (K configs x 600 prefixes x 4 neighbors), targets: K=64 <= 0.5 s in process (BenchmarkRenderWorkload above), <= 0.6 s per process; reference implementation K=4 0.09 s, K=64 3.21 s in process"
	go build -o $(LOCALBIN)/frrk8sctl ./cmd/frrk8sctl
	go run ./hack/render-bench -frrk8sctl $(LOCALBIN)/frrk8sctl

.PHONY: bench-e2e
bench-e2e: deps envtest-assets frr10 ## Time FRRConfiguration writes to FRR and FRRNodeState through real FRR 8.4 and 10 (needs root).
	FRRK8S_FRR10_ROOT="$$(hack/frr10-chroot.sh)" KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh)" \
		go test ./e2etests/daemon -run '^$$' -bench 'ConfigToFRR|CommunityChange' -benchtime=20x -timeout 60m

.PHONY: test-differential
test-differential: deps frr10 ## Long seeded differential test of the reloader against frr-reload.py on real FRR 8.4 and 10 (needs root; DIFF_SEEDS, DIFF_STEPS).
	FRRK8S_FRR10_ROOT="$$(hack/frr10-chroot.sh)" FRRK8S_DIFF_SEEDS=$(DIFF_SEEDS) FRRK8S_DIFF_STEPS=$(DIFF_STEPS) \
		FRRK8S_DIFF_FIRST_SEED=$(DIFF_FIRST_SEED) FRRK8S_DIFF_CHECK_EVERY=$(DIFF_CHECK_EVERY) \
		go test ./e2etests/differential -run TestDifferential -count=1 -v -timeout 600m

.PHONY: bench-scale
bench-scale: deps envtest-assets ## Measure one node's daemon in a 3,000-node, 6,000-config cluster (docs/performance.md; needs root for the FRR column).
	hack/bench-scale.sh $(BENCH_SCALE_ARGS)

##@ Demo

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

##@ Deployment

.PHONY: deploy
deploy: kustomize ## Install frr-k8s (config/default) with image IMG into NAMESPACE of the cluster in $KUBECONFIG.
	IMG=$(IMG) NAMESPACE=$(NAMESPACE) KUSTOMIZE=$(KUSTOMIZE) hack/deploy-manifests.sh | $(KUBECTL) apply --server-side -f -

.PHONY: undeploy
undeploy: kustomize ## Remove what deploy installed (ignores objects already gone).
	IMG=$(IMG) NAMESPACE=$(NAMESPACE) KUSTOMIZE=$(KUSTOMIZE) hack/deploy-manifests.sh | $(KUBECTL) delete --ignore-not-found -f -
