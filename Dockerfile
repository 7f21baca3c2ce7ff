# Multi-stage build: a static binary (MNIST and the front end are embedded),
# run as a non-root user on a small Debian base that also carries the
# optional Fashion-MNIST dataset.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/aelab .

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends dataset-fashion-mnist ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/aelab /usr/local/bin/aelab
# Runs are kept in /data (an SQLite file): mount a volume there to keep them
# across containers.
RUN mkdir /data && chown 65532:65532 /data
VOLUME /data
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/aelab"]
CMD ["-addr", ":8080", "-data", "/data"]
