# syntax=docker/dockerfile:1
# The recommender service. Build from the repository root:
#   docker build -f deploy/docker/recommender.Dockerfile -t smartshop/recommender:dev .
# Build stage: Debian 12 with the -dev packages tools/setup.sh installs
# (tests/deploy checks that the lists agree); only the needed targets.
# Final stage: bookworm-slim with the runtime libraries alone, as UID 10001.

FROM debian:bookworm AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config git \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      grpc-proto libabsl-dev libpqxx-dev libhiredis-dev \
      libboost1.81-dev libboost-json1.81-dev libssl-dev \
      libgtest-dev libgmock-dev libbenchmark-dev prometheus-cpp-dev \
      libjemalloc-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
 && cmake --build build --target recommender \
 && cmake -S deploy/docker/health_probe -B build/health_probe -G Ninja \
      -DCMAKE_BUILD_TYPE=Release \
 && cmake --build build/health_probe \
 && mkdir -p /out \
 && strip --strip-debug -o /out/recommender build/services/recommender/recommender \
 && strip -o /out/grpc_health_probe build/health_probe/grpc_health_probe

FROM debian:bookworm-slim
ARG DEBIAN_FRONTEND=noninteractive
# The Debian packages of the libraries the binaries link (tests/deploy checks
# this list against `ldd` of the built binaries); ca-certificates for HTTPS
# to OpenAI (the system CA store).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates \
      libabsl20220623 libboost-json1.81.0 libgrpc++1.51 libgrpc29 \
      libjemalloc2 \
      libhiredis0.14 libprometheus-cpp-core1.0 libprotobuf32 libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 smartshop \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin smartshop
COPY --from=build /out/recommender /out/grpc_health_probe /usr/local/bin/
LABEL org.opencontainers.image.title="smartshop-recommender" \
      org.opencontainers.image.description="SmartShop recommender service (gRPC)"
USER 10001:10001
# gRPC; admin HTTP (/metrics, /healthz, /readyz).
EXPOSE 50052 9090
ENV RECOMMENDER_ADMIN_LISTEN=0.0.0.0:9090
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/grpc_health_probe", "127.0.0.1:50052", "smartshop.v1.RecommenderService"]
ENTRYPOINT ["/usr/local/bin/recommender", "--listen=0.0.0.0:50052"]
