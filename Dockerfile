# syntax=docker/dockerfile:1
#
# leakfix in a container: a static binary on Alpine with git (history and
# --staged read repositories; git is also what the pre-commit docker hook
# needs), running as an unprivileged user.
#
#   docker build -t leakfix:local --build-arg VERSION="$(git describe --tags --always)" .
#   docker run --rm -v "$PWD:/src" leakfix:local scan .
#   docker run --rm -v "$PWD:/src" leakfix:local history .

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-alpine AS build
WORKDIR /src
# Dependencies first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/leakfix ./cmd/leakfix

FROM alpine:3.22
# safe.directory: the mounted repository belongs to the host's user, not to
# the container's, and git refuses to read it otherwise.
RUN apk add --no-cache git ca-certificates \
 && adduser -D -H -u 10001 leakfix \
 && git config --system --add safe.directory '*'
COPY --from=build /out/leakfix /usr/local/bin/leakfix
USER 10001:10001
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/leakfix"]
CMD ["scan", "."]
