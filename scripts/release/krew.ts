/**
 * The krew plugin manifest (`kubectl krew install --manifest=regtrust.yaml`,
 * or a krew index entry), and the checks krew itself makes of one. The
 * checks mirror krew's own code (kubernetes-sigs/krew at v0.4.5+,
 * internal/index/validation/validate.go ValidatePlugin/validatePlatform/
 * validateSelector, and cmd/validate-krew-manifest: every platform selector
 * matches one of its supported os/arch pairs, no two overlap). krew is not
 * packaged by Debian, so its code cannot run here; the release test also
 * installs the plugin the way krew's installer does (internal/installation:
 * verify sha256, extract, move `files`, symlink `bin` as kubectl-<name>).
 */
import YAML from "yaml";

export const KREW_API_VERSION = "krew.googlecontainertools.github.com/v1alpha2";
export const PLUGIN_NAME = "regtrust";

export interface KrewPlatform {
  selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  uri: string;
  sha256: string;
  bin: string;
  files?: { from: string; to: string }[];
}

export interface KrewPlugin {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    version: string;
    homepage?: string;
    shortDescription: string;
    description?: string;
    caveats?: string;
    platforms: KrewPlatform[];
  };
}

export interface KrewArchive {
  arch: string;
  uri: string;
  sha256: string;
}

export function krewManifest(version: string, archives: KrewArchive[], homepage?: string): KrewPlugin {
  return {
    apiVersion: KREW_API_VERSION,
    kind: "Plugin",
    metadata: { name: PLUGIN_NAME },
    spec: {
      version: `v${version}`,
      ...(homepage ? { homepage } : {}),
      shortDescription: "Diagnose and fix private registry TLS trust on nodes",
      description:
        "Explains ImagePullBackOff caused by registry certificates (x509: certificate signed by unknown\n" +
        "authority and friends) for every runtime on a node, and installs a registry's CA the safe,\n" +
        "reversible way through a short-lived pod: kubectl regtrust why <pod>, kubectl regtrust node\n" +
        "<node> diagnose <registry>, kubectl regtrust status.\n",
      caveats:
        "`kubectl regtrust node` and `kubectl regtrust manifests` start pods from the regtrust image:\n" +
        "pass --image (or set REGTRUST_IMAGE) to the image you pushed from the release.\n",
      platforms: archives.map((a) => ({
        selector: { matchLabels: { os: "linux", arch: a.arch } },
        uri: a.uri,
        sha256: a.sha256,
        files: [
          { from: "regtrust", to: "." },
          { from: "LICENSE", to: "." },
        ],
        bin: "regtrust",
      })),
    },
  };
}

export function krewManifestYaml(plugin: KrewPlugin): string {
  return YAML.stringify(plugin, { lineWidth: 0 });
}

/** krew's supported os/arch pairs (cmd/validate-krew-manifest allPlatforms). */
const KREW_PLATFORMS = [
  ["windows", "386"],
  ["windows", "amd64"],
  ["windows", "arm64"],
  ["linux", "386"],
  ["linux", "amd64"],
  ["linux", "arm"],
  ["linux", "arm64"],
  ["linux", "ppc64le"],
  ["darwin", "386"],
  ["darwin", "amd64"],
  ["darwin", "arm64"],
] as const;

/** The problems krew would report for manifest `fileName` (empty when it would accept it). */
export function krewManifestProblems(fileName: string, plugin: KrewPlugin): string[] {
  if (!fileName.endsWith(".yaml")) return [`expected manifest extension ".yaml" (${fileName})`];
  const name = fileName.replace(/^.*\//, "").slice(0, -".yaml".length);
  const problems: string[] = [];
  if (plugin.apiVersion !== KREW_API_VERSION)
    problems.push(`apiVersion ${plugin.apiVersion} is not supported`);
  if (plugin.kind !== "Plugin") problems.push(`kind ${plugin.kind}, only "Plugin" is supported`);
  if (!/^[\w-]+$/.test(name)) problems.push(`plugin name ${name} is not allowed`);
  if (plugin.metadata?.name !== name)
    problems.push(`plugin should be named ${name}, not ${plugin.metadata?.name}`);
  const spec = plugin.spec;
  if (!spec?.shortDescription) problems.push("should have a short description");
  else if (/[\r\n]/.test(spec.shortDescription))
    problems.push("should not have line breaks in short description");
  if (!spec?.platforms?.length) return [...problems, "should have a platform specified"];
  if (!spec.version) problems.push("should have a version specified");
  // krew's semver.Parse: a leading "v", then k8s.io/apimachinery's ParseSemantic (semver 2.0.0).
  else if (
    !/^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(spec.version)
  )
    problems.push(`failed to parse plugin version ${spec.version}`);
  spec.platforms.forEach((p, i) => {
    for (const problem of platformProblems(p)) problems.push(`platform ${i}: ${problem}`);
  });
  for (const [os, arch] of KREW_PLATFORMS) {
    const hits = spec.platforms.flatMap((p, i) => (selects(p, os, arch) ? [i] : []));
    if (hits.length > 1) problems.push(`platforms ${hits.join(", ")} overlap on ${os}/${arch}`);
  }
  spec.platforms.forEach((p, i) => {
    if (!KREW_PLATFORMS.some(([os, arch]) => selects(p, os, arch)))
      problems.push(`platform ${i}'s selector matches no supported platform`);
  });
  return problems;
}

function platformProblems(p: KrewPlatform): string[] {
  const out: string[] = [];
  if (!p.uri) out.push("`uri` has to be set");
  if (!p.sha256) out.push("`sha256` sum has to be set");
  else if (!/^[a-f0-9]{64}$/.test(p.sha256)) out.push(`\`sha256\` value ${p.sha256} is not valid`);
  if (!p.bin) out.push("`bin` has to be set");
  if (p.files !== undefined) {
    if (p.files.length === 0) out.push("`files` has to be unspecified or non-empty");
    for (const op of p.files) if (!op.from || !op.to) out.push("`from` and `to` have to be set");
  }
  const sel = p.selector;
  if (!sel) out.push("nil selector is not supported");
  else if (!sel.matchLabels && !sel.matchExpressions?.length) out.push("empty selector is not supported");
  else if (sel.matchExpressions) out.push("matchExpressions are not generated here");
  else {
    const keys = Object.keys(sel.matchLabels ?? {});
    if (keys.length === 0) out.push("`matchLabels` specified but empty");
    for (const key of keys) if (key !== "os" && key !== "arch") out.push(`key ${key} not supported`);
  }
  return out;
}

function selects(p: KrewPlatform, os: string, arch: string): boolean {
  const labels = p.selector?.matchLabels ?? {};
  return Object.entries(labels).every(([k, v]) =>
    k === "os" ? v === os : k === "arch" ? v === arch : false,
  );
}
