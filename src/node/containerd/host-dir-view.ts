import { type Finding, finding } from "../../findings/finding.ts";
import { caFileFindings } from "../ca-findings.ts";
import { type HostFs, HostFsError } from "../host-fs.ts";
import { readInsecureExpiry } from "../insecure-marker.ts";
import { readTrustSource } from "../trust-source.ts";
import type { InsecureSetting, TrustSource } from "../types.ts";
import { endpointForRegistry, implicitLocalhostSkipVerify } from "./endpoint.ts";
import { type ContainerdFeatures, LATEST_FEATURES } from "./features.ts";
import type { HostDirMatch } from "./host-dir.ts";
import { type HostsEndpoint, parseHostsToml } from "./hosts-toml.ts";

/** The parts of a RuntimeTrustView that one containerd host directory decides. */
export interface ViewParts {
  caFiles: TrustSource[];
  insecure: InsecureSetting | null;
  configFiles: string[];
  findings: Finding[];
  summary: string;
  mirrors?: string[];
}

/**
 * What containerd makes of the matched host directory (hosts.go
 * `loadHostDir`): hosts.toml when present and non-empty, else — or when it
 * does not parse — the Docker-style *.crt files of the directory.
 */
export function hostDirView(
  fs: HostFs,
  match: HostDirMatch,
  registry: string,
  runtime: string,
  features: ContainerdFeatures = LATEST_FEATURES,
): ViewParts {
  const file = `${match.dir}/hosts.toml`;
  let text: string | null;
  try {
    text = fs.readText(file);
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    return unreadableHostsToml(file, error, registry, runtime);
  }
  if (text === null || text.length === 0)
    return certFilesView(fs, match, { registry, runtime, features }, null);
  const parsed = parseHostsToml(text, match.dir, features);
  if (!parsed.ok) {
    const invalid = invalidHostsToml(file, parsed.reason, parsed.line, match.dir, registry);
    return certFilesView(fs, match, { registry, runtime, features }, invalid);
  }
  return hostsTomlView(fs, { file, text, endpoints: parsed.endpoints }, { registry, runtime, features });
}

interface ViewFor {
  registry: string;
  runtime: string;
  features: ContainerdFeatures;
}

function hostsTomlView(
  fs: HostFs,
  hosts: { file: string; text: string; endpoints: HostsEndpoint[] },
  { registry, runtime, features }: ViewFor,
): ViewParts {
  const { file, endpoints } = hosts;
  const { endpoint, mirrors } = endpointForRegistry(endpoints, registry);
  const caFiles = (endpoint.ca ?? []).map((path) =>
    readTrustSource(fs, path, "hosts.toml ca", { file, line: endpoint.caLine }),
  );
  // Any endpoint's unreadable CA fails ConfigureHosts, so mirrors are checked too.
  const otherCas = endpoints
    .filter((e) => e !== endpoint)
    .flatMap((e) =>
      (e.ca ?? []).map((path) =>
        readTrustSource(fs, path, `hosts.toml ca of ${e.url}`, { file, line: e.caLine }),
      ),
    )
    .filter((s) => s.bytes === null);
  const failure = {
    runtime,
    registry,
    consequence: `fails every pull from ${registry} (unable to read CA cert)`,
  };
  const insecure = skipVerifySetting(hosts, endpoint, registry, features);
  const target = endpoint.url ?? `https://${registry} (built-in default)`;
  const summary =
    `${file}: ${target}` +
    (caFiles.length > 0
      ? `, ca ${caFiles.map((s) => s.path).join(", ")} added to the system roots`
      : ", system roots only") +
    (insecure ? `, ${insecure.setting}` : "") +
    (endpoint.scheme === "http" && !insecure && endpoint.ca === null ? ", plain HTTP (no TLS)" : "") +
    (mirrors.length > 0 ? `; tries mirrors first: ${mirrors.map((m) => m.url).join(", ")}` : "");
  return {
    caFiles,
    insecure,
    configFiles: [file],
    findings: caFileFindings([...caFiles, ...otherCas], failure),
    summary,
    ...(mirrors.length > 0 ? { mirrors: mirrors.map((m) => m.url ?? "") } : {}),
  };
}

function skipVerifySetting(
  hosts: { file: string; text: string },
  endpoint: HostsEndpoint,
  registry: string,
  features: ContainerdFeatures,
): InsecureSetting | null {
  if (endpoint.host === null && implicitLocalhostSkipVerify(registry, features))
    return implicitSkip(hosts.file, features);
  if (endpoint.skipVerify !== true) return null;
  const table = endpoint.kind === "host" ? `[host."${endpoint.url}"] ` : "";
  return {
    file: hosts.file,
    line: endpoint.skipVerifyLine,
    setting: `${table}skip_verify = true`,
    expiresAt: readInsecureExpiry(hosts.text, endpoint.skipVerifyLine),
  };
}

/** The `setting` text of containerd's built-in skip-verify for loopback registries. */
export const BUILTIN_SKIP_VERIFY = "containerd's built-in skip_verify for localhost/loopback registries";

/** containerd 1.6's built-in rule: a loopback registry is dialled over plain HTTP. */
export const BUILTIN_PLAIN_HTTP =
  "containerd 1.6's built-in plain HTTP for localhost/loopback registries (no TLS at all)";

/** containerd's built-in rule for loopback registries (no `server` set). */
export function implicitSkip(
  file: string,
  features: Pick<ContainerdFeatures, "localhostByPort"> = LATEST_FEATURES,
): InsecureSetting {
  const setting = features.localhostByPort ? BUILTIN_SKIP_VERIFY : BUILTIN_PLAIN_HTTP;
  return { file, line: null, setting, expiresAt: null };
}

/** Docker's certificate layout: *.crt are CAs (hosts.go `loadCertFiles`; directories skipped). */
function certFilesView(
  fs: HostFs,
  match: HostDirMatch,
  { registry, runtime, features }: ViewFor,
  invalid: Finding | null,
): ViewParts {
  const crts = listCrtFiles(fs, match.dir);
  const caFiles = crts.map((path) => readTrustSource(fs, path, "certs.d *.crt"));
  const insecure = implicitLocalhostSkipVerify(registry, features) ? implicitSkip(match.dir, features) : null;
  const failure = {
    runtime,
    registry,
    consequence: `fails every pull from ${registry} (unable to read CA cert)`,
  };
  const how = invalid ? "hosts.toml ignored (invalid)" : "no hosts.toml";
  return {
    caFiles,
    insecure,
    configFiles: invalid ? [`${match.dir}/hosts.toml`] : [],
    findings: [...(invalid ? [invalid] : []), ...caFileFindings(caFiles, failure)],
    summary:
      `${match.dir}: ${how}; ` +
      (caFiles.length > 0
        ? `*.crt files ${caFiles.map((s) => s.path).join(", ")} added to the system roots`
        : "no *.crt files, system roots only") +
      (insecure ? `, ${insecure.setting}` : ""),
  };
}

function listCrtFiles(fs: HostFs, dir: string): string[] {
  let names: string[] | null;
  try {
    names = fs.readDir(dir);
  } catch {
    return [];
  }
  return (names ?? [])
    .filter((name) => name.endsWith(".crt"))
    .map((name) => `${dir}/${name}`)
    .filter((path) => {
      try {
        return fs.stat(path)?.kind !== "dir";
      } catch {
        return true;
      }
    });
}

function invalidHostsToml(
  file: string,
  reason: string,
  line: number | null,
  dir: string,
  registry: string,
): Finding {
  return finding(
    "hosts-toml-invalid",
    "error",
    `containerd ignores ${file}: ${reason}${line ? ` (line ${line})` : ""}. It logs "failed to decode ${file}" and falls back to the *.crt files in ${dir}, so the ca, skip_verify and mirror settings in it have no effect.`,
    {
      file,
      ...(line ? { line } : {}),
      evidence: [reason],
      fix: [
        `Fix ${file}${line ? ` at line ${line}` : ""}. A minimal valid file:\nserver = "https://${registry}"\n[host."https://${registry}"]\n  capabilities = ["pull", "resolve"]\n  ca = "${dir}/ca.crt"`,
        `regtrust diagnose ${registry}   # re-check; containerd re-reads hosts.toml on the next pull, no restart needed`,
      ],
    },
  );
}

function unreadableHostsToml(file: string, error: HostFsError, registry: string, runtime: string): ViewParts {
  const f = finding(
    "config-invalid",
    "error",
    `${runtime} cannot read ${file} (${error.message}), so every pull from ${registry} fails.`,
    {
      file,
      fix: [`Make ${file} a readable regular file (chmod 0644 ${file})`],
    },
  );
  return { caFiles: [], insecure: null, configFiles: [file], findings: [f], summary: `${file}: unreadable` };
}
