# syntax=docker/dockerfile:1
# The operator's image: one static (musl) binary on distroless/static, run as the numeric user
# 65532:65532 so that the kubelet can check the chart's runAsNonRoot (a named user cannot be
# checked: "image has non-numeric user"). Multi-arch with BuildKit:
#   docker buildx build --platform linux/amd64,linux/arm64 -t IMAGE .
# No container engine runs in this repository's CI: scripts/prove-image builds the binary exactly
# as the build stage below does, then runs the final stage's filesystem (that binary alone) as
# 65532:65532 with a read-only root against a real API server.

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-bookworm AS build
# Set by BuildKit to the platform being built: amd64 or arm64.
ARG TARGETARCH
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools=1.2.3-1 \
 && rm -rf /var/lib/apt/lists/*
RUN case "${TARGETARCH}" in \
      amd64) echo x86_64-unknown-linux-musl ;; \
      arm64) echo aarch64-unknown-linux-musl ;; \
      *) echo "unsupported TARGETARCH '${TARGETARCH}' (amd64 or arm64)" >&2; exit 1 ;; \
    esac > /rust-target \
 && rustup target add "$(cat /rust-target)"
WORKDIR /src
# Sources are bind-mounted (nothing else from the context is needed; see .dockerignore), and the
# crates.io downloads and the target directory live in BuildKit cache mounts: a change in src/
# recompiles this crate only. Cargo.toml declares a test and a bench the binary does not need:
# empty files satisfy the manifest. ring's C code is compiled with musl-gcc (TARGET_CC).
RUN --mount=type=bind,source=Cargo.toml,target=/src/Cargo.toml \
    --mount=type=bind,source=Cargo.lock,target=/src/Cargo.lock \
    --mount=type=bind,source=src,target=/src/src \
    --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/src/target,id=ovh-operator-target-${TARGETARCH},sharing=locked \
    mkdir -p tests benches \
 && touch tests/operator.rs benches/orders.rs \
 && TARGET_CC=musl-gcc CARGO_PROFILE_RELEASE_STRIP=symbols \
    cargo build --release --locked --target "$(cat /rust-target)" \
 && cp "target/$(cat /rust-target)/release/ovh-publiccloud-operator" /ovh-publiccloud-operator

# distroless/static: CA certificates, tzdata, /etc/passwd and nothing else (no shell, no libc).
FROM gcr.io/distroless/static-debian12:nonroot
# --build-arg VERSION=… REVISION=$(git rev-parse HEAD) SOURCE=<the repository's URL>
ARG VERSION=0.1.0
ARG REVISION=""
ARG SOURCE=""
LABEL org.opencontainers.image.title="ovh-publiccloud-operator" \
      org.opencontainers.image.description="Kubernetes operator that orders OVHcloud Public Cloud projects declaratively" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian12:nonroot"
COPY --from=build /ovh-publiccloud-operator /ovh-publiccloud-operator
USER 65532:65532
# /metrics, /healthz, /readyz (--metrics-addr, default 0.0.0.0:8080).
EXPOSE 8080
ENTRYPOINT ["/ovh-publiccloud-operator"]
CMD ["run"]
