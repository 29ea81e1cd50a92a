# syntax=docker/dockerfile:1

# Builds the frr-k8s image: the controller, the statuscleaner and the three
# helpers the daemon pod copies into its FRR containers (frr-metrics,
# frr-status and the reloader). Multi-platform: the Go toolchain runs on the
# build platform and cross-compiles static binaries for the target.
FROM --platform=$BUILDPLATFORM docker.io/library/golang:1.26 AS builder

ARG TARGETPLATFORM
ARG TARGETOS
ARG TARGETARCH
ARG GIT_COMMIT=dev
ARG GIT_BRANCH=dev
ARG VERSION=devel

WORKDIR /go/src/github.com/frrk8s/frrk8s

# Modules in their own layer, so source changes do not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY api/ api/
COPY cmd/ cmd/
COPY internal/ internal/

RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    case "$TARGETPLATFORM" in \
      linux/arm/v6) export GOARM=6 ;; \
      linux/arm/v7) export GOARM=7 ;; \
    esac && \
    export CGO_ENABLED=0 GOOS="$TARGETOS" GOARCH="$TARGETARCH" && \
    LDFLAGS="-X github.com/frrk8s/frrk8s/internal/version.gitCommit=${GIT_COMMIT} -X github.com/frrk8s/frrk8s/internal/version.gitBranch=${GIT_BRANCH} -X github.com/frrk8s/frrk8s/internal/version.version=${VERSION}" && \
    go build -v -ldflags "$LDFLAGS" -o /build/frr-k8s ./cmd/frr-k8s-controller && \
    go build -v -ldflags "$LDFLAGS" -o /build/statuscleaner ./cmd/statuscleaner && \
    go build -v -ldflags "$LDFLAGS" -o /build/frr-metrics ./cmd/metrics && \
    go build -v -ldflags "$LDFLAGS" -o /build/frr-status ./cmd/status && \
    go build -v -ldflags "$LDFLAGS" -o /build/frr-reloader.sh ./cmd/reloader

# The final image only needs a shell and cp for the init containers that copy
# the helpers into the FRR containers.
FROM docker.io/library/alpine:3.22

ARG GIT_COMMIT=dev
ARG VERSION=devel

COPY --from=builder /build/frr-k8s /frr-k8s
COPY --from=builder /build/statuscleaner /statuscleaner
COPY --from=builder /build/frr-metrics /frr-metrics
COPY --from=builder /build/frr-status /frr-status
COPY --from=builder /build/frr-reloader.sh /frr-reloader.sh

LABEL org.opencontainers.image.title="frr-k8s" \
      org.opencontainers.image.description="Configures FRR on every Kubernetes node from FRRConfiguration objects" \
      org.opencontainers.image.source="https://github.com/metallb/frr-k8s" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.revision="${GIT_COMMIT}" \
      org.opencontainers.image.version="${VERSION}"

ENTRYPOINT ["/frr-k8s"]
