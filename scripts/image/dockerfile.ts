/**
 * The Dockerfile users build with `docker build`, generated from the same
 * recipe as the offline image (build.ts): the same Node package, version and
 * integrity, the same files at the same paths, the same user, environment,
 * labels, entrypoint and command. What differs is only where the Debian base
 * and the build tools come from: public images (recipe.debian.dockerBase and
 * node:<major>-<suite>-slim) instead of mmdebstrap and this machine.
 */
import { imageLabels, nodePackageSpec, type Recipe } from "./recipe.ts";

export const DOCKERFILE = "Dockerfile";

export function generateDockerfile(recipe: Recipe, version: string): string {
  const major = recipe.node.version.split(".")[0];
  const suite = recipe.debian.suite;
  const lines = [
    "# GENERATED from scripts/image/recipe.json by `npm run image:dockerfile`: edit the recipe, not this file.",
    "#",
    "# regtrust image for `regtrust k8s node …` pods and the DaemonSet agent: docker build -t IMAGE .",
    "# `npm run image` builds the same recipe offline (Debian base by mmdebstrap, assembled with umoci)",
    "# and CI pushes, pulls and runs that archive (test/image/). Both take Node from the npm registry's",
    "# node-linux-<arch> package at the recipe's version and integrity, and copy the same files with the",
    "# same configuration. This file's Debian base is the public debian image instead (it also carries apt);",
    '# see docs/k8s-node.md, "The image".',
    "",
    "# Stage 1 builds the self-contained ESM bundle (every runtime dependency is bundled; no node_modules",
    "# ships) and fetches Node. Its node image is a build tool only; nothing of it is in the result.",
    `FROM node:${major}-${suite}-slim AS build`,
    "WORKDIR /src",
    "COPY package.json package-lock.json ./",
    "RUN npm ci --ignore-scripts --no-audit --no-fund",
    "COPY tsconfig.json ./",
    "COPY scripts ./scripts",
    "COPY src ./src",
    `RUN node scripts/build.mjs${recipe.app.excludeSuffixes.map((suffix) => ` && find dist -name '*${suffix}' -delete`).join("")}`,
    "ARG TARGETARCH",
    ...nodeFetch(recipe),
    "",
    "# Stage 2 runs it. Not distroless on purpose: trust/untrust refresh the node's store with",
    "# `chroot /host update-ca-certificates` (src/plan/commands.ts) and `--restart` uses `nsenter -t 1`;",
    "# chroot (coreutils) and nsenter (util-linux) are Debian essential packages. Node needs libstdc++6.",
    `FROM ${recipe.debian.dockerBase}`,
    ...aptInstall(recipe),
    ...recipe.app.files.map((file) => `COPY --from=build /src/${file} ${recipe.app.dir}/${file}`),
    `COPY --from=build /node/bin/node ${recipe.node.binary}`,
    `COPY --from=build /node/LICENSE ${recipe.node.license}`,
    `RUN mkdir -p ${recipe.app.emptyDirs.join(" ")}`,
    ...recipe.config.env.map((env) => `ENV ${env}`),
    ...Object.entries(imageLabels(recipe, version)).map(([k, v]) => `LABEL ${k}=${JSON.stringify(v)}`),
    `WORKDIR ${recipe.config.workingDir}`,
    "# Not root by default; the pods set runAsUser 0 (node files such as registries.yaml are 0600 root).",
    `USER ${recipe.config.user}`,
    `ENTRYPOINT ${JSON.stringify(recipe.config.entrypoint)}`,
    `CMD ${JSON.stringify(recipe.config.cmd)}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** npm pack node-linux-<arch>@<version>, refuse a tarball whose sha512 is not the recipe's, keep bin/node + LICENSE. */
function nodeFetch(recipe: Recipe): string[] {
  const cases = ["amd64", "arm64"].map((arch) => {
    const { spec, integrity } = nodePackageSpec(recipe, arch);
    return `      ${arch}) spec=${spec}; sum=${integrity} ;; \\`;
  });
  const check =
    'node -e \'const h = "sha512-" + require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"); if (h !== process.argv[2]) { console.error(process.argv[1] + ": integrity " + h + " is not the recipe\\x27s " + process.argv[2]); process.exit(1); }\' "$tgz" "$sum"; \\';
  return [
    "RUN set -eu; \\",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion in the Dockerfile
    '    case "${TARGETARCH:-amd64}" in \\',
    ...cases,
    '      *) echo "no Node package for architecture $TARGETARCH" >&2; exit 1 ;; \\',
    "    esac; \\",
    "    mkdir /node; cd /node; \\",
    '    tgz="$(npm pack "$spec" --silent)"; \\',
    `    ${check}`,
    '    tar -xzf "$tgz" --strip-components=1 package/bin/node package/LICENSE; rm "$tgz"',
  ];
}

function aptInstall(recipe: Recipe): string[] {
  const packages = recipe.debian.packages.join(" ");
  return [
    "RUN apt-get update \\",
    ` && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages} \\`,
    " && rm -rf /var/lib/apt/lists/*",
  ];
}
