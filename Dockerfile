# Static binary on a distroless, non-root base. (Not built in this repository's CI: the machines
# that run it have no container engine.)
FROM rust:1.95-bookworm AS build
RUN rustup target add x86_64-unknown-linux-musl && apt-get update && apt-get install -y --no-install-recommends musl-tools
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY crds crds
RUN cargo build --release --locked --target x86_64-unknown-linux-musl \
 && cp target/x86_64-unknown-linux-musl/release/ovh-publiccloud-operator /ovh-publiccloud-operator

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /ovh-publiccloud-operator /ovh-publiccloud-operator
USER nonroot:nonroot
ENTRYPOINT ["/ovh-publiccloud-operator"]
CMD ["run"]
