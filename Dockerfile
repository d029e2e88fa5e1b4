# regtrust image for `regtrust k8s node …` pods and the DaemonSet agent.
# Build: docker build -t IMAGE .   (see docs/k8s-node.md)
#
# Stage 1 builds the self-contained ESM bundle (dist/regtrust.mjs + chunks;
# every runtime dependency is bundled, so node_modules is not shipped).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.mjs

# Stage 2 runs it. Not distroless on purpose: trust/untrust refresh the node's
# store with `chroot /host update-ca-certificates` (src/plan/commands.ts) and
# `--restart` uses `nsenter -t 1`; both binaries (coreutils, util-linux) are in
# bookworm-slim and absent from gcr.io/distroless/nodejs20-debian12. The node's
# own tools run under chroot, so nothing CA-related is installed here.
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
COPY --from=build /src/dist ./dist
COPY --from=build /src/package.json ./package.json
# Root by default: the pod spec (src/k8s/node-run/pod-spec.ts) sets
# runAsUser 0 because node files such as registries.yaml are 0600 root. For
# local use (`docker run IMAGE diagnose …`) an unprivileged user is enough.
USER node
ENTRYPOINT ["node", "/app/dist/regtrust.mjs"]
CMD ["--help"]
