# syntax=docker/dockerfile:1
# observo container image: build on Debian 12 with the project's own set-up script, run on
# debian:12-slim with only the binary, the shared libraries it links, CA certificates and the
# example configuration.
#
#   docker build -t observo:dev .
#   docker run --rm -p 8080:8080 -p 4317:4317 -p 4318:4318 -p 2000:2000/udp observo:dev
#
# tests/e2e/dockerfile_libs.sh checks that every library `ldd build/observo` lists comes from a
# package the runtime stage installs (or one debian:12-slim already has: libc6, libgcc-s1,
# libstdc++6). Keep the apt-get install line below on one logical line per package list.

FROM debian:12 AS build
WORKDIR /src
COPY . .
RUN bash scripts/setup.sh \
 && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DOBSERVO_BUILD_BENCH=OFF -DOBSERVO_BUILD_TESTS=OFF \
 && cmake --build build -j --target observo \
 && strip build/observo

FROM debian:12-slim AS runtime
# Runtime libraries of the binary (from `ldd build/observo` and `dpkg -S`), and CA certificates
# for the X-Ray/STS HTTPS endpoints and Vizier when no ca_cert is configured.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libabsl20220623 libbpf1 libc-ares2 libelf1 libfmt9 libgrpc++1.51 libgrpc29 libprometheus-cpp-core1.0 libprotobuf32 libre2-9 libspdlog1.10 libssl3 libyaml-cpp0.7 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 observo \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/observo --no-create-home --shell /usr/sbin/nologin observo \
 && mkdir -p /etc/observo /var/lib/observo \
 && chown 10001:10001 /var/lib/observo

COPY --from=build /src/build/observo /usr/local/bin/observo
COPY config.example.yaml /etc/observo/observo.yaml

USER 10001:10001
WORKDIR /var/lib/observo

# 8080/tcp  HTTP server: /metrics, /health, /ready, /api/v1/... (server.port)
# 4317/tcp  OTLP/gRPC receiver (otlp.grpc_listen)
# 4318/tcp  OTLP/HTTP receiver (otlp.http_listen)
# 2000/udp  X-Ray daemon protocol listener (xray.udp.port)
EXPOSE 8080/tcp 4317/tcp 4318/tcp 2000/udp

# curl is not in debian:12-slim, and `observo health` checks a Pixie cluster, not this process:
# bash (always in the image) sends GET /health over /dev/tcp and wants a 200 status line.
# Set OBSERVO_SERVER_PORT when the server listens on another port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${OBSERVO_SERVER_PORT:-8080} && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["/usr/local/bin/observo"]
CMD ["server", "--config", "/etc/observo/observo.yaml"]
