# syntax=docker/dockerfile:1
# Tradehub: build the portal with Node, the binary with Go, run as non-root on a minimal image.

FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
COPY schema/ /src/schema/
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist ./web/dist
# The embedded store's SQLite driver is pure Go, so the binary is static.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/tradehub ./cmd/tradehub \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tradehub /usr/local/bin/tradehub
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV TRADEHUB_ADDR=0.0.0.0:8080 \
    TRADEHUB_DATA_DIR=/data \
    TRADEHUB_ENV=production \
    TRADEHUB_LOG_FORMAT=json
USER nonroot:nonroot
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/tradehub", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/tradehub"]
CMD ["serve"]
