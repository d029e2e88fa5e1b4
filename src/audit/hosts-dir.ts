import { posix } from "node:path";
import { finding } from "../findings/finding.ts";
import { type ContainerdFeatures, LATEST_FEATURES } from "../node/containerd/features.ts";
import { type HostsEndpoint, parseHostsToml } from "../node/containerd/hosts-toml.ts";
import { readCertsDir } from "../node/docker/certs-dir.ts";
import { HostFsError } from "../node/host-fs.ts";
import { isTable, parseToml, type TomlTable } from "../node/toml-values.ts";
import { auditCaFile } from "./ca-files.ts";
import { auditClientPair } from "./client-keys.ts";
import { type AuditContext, at, where } from "./context.ts";
import { checkPortInDirName, registryFromDirName } from "./host-dir-name.ts";
import { insecureFinding, plainHttpFinding } from "./insecure.ts";

/**
 * One containerd host directory (`<config_path root>/<namespace>/`): its
 * hosts.toml when it parses, otherwise the Docker-style *.crt fallback
 * containerd silently uses instead (hosts.go `loadHostDir`).
 */
export function auditHostDir(
  ctx: AuditContext,
  dir: string,
  runtime: string,
  features: ContainerdFeatures = LATEST_FEATURES,
): void {
  const registry = registryFromDirName(posix.basename(dir));
  ctx.registries.add(registry);
  checkPortInDirName(ctx, dir, registry, runtime);
  const file = `${dir}/hosts.toml`;
  let text: string | null;
  try {
    text = ctx.fs.readText(file);
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    ctx.findings.push(invalidHostsToml(file, registry, runtime, error.message, null));
    return;
  }
  if (text !== null && text.trim() !== "") {
    const parsed = parseHostsToml(text, dir, features);
    if (parsed.ok) {
      auditEndpoints(ctx, { file, text, dir, registry, runtime }, parsed.endpoints);
      return;
    }
    ctx.findings.push(invalidHostsToml(file, registry, runtime, parsed.reason, parsed.line));
  }
  auditCertFileFallback(ctx, dir, registry, runtime);
}

function invalidHostsToml(
  file: string,
  registry: string,
  runtime: string,
  reason: string,
  line: number | null,
) {
  return finding(
    "hosts-toml-invalid",
    "error",
    `${runtime} ignores ${file} entirely because it does not parse (${reason}); its mirrors, ca and skip_verify settings for ${registry} have no effect, and only *.crt files in the directory are used.`,
    {
      ...at(file, line),
      contexts: [runtime],
      evidence: [reason],
      fix: [`Fix ${where(file, line)} (containerd logs "failed to decode hosts.toml"); no restart is needed`],
    },
  );
}

interface HostsFile {
  file: string;
  text: string;
  dir: string;
  registry: string;
  runtime: string;
}

function auditEndpoints(ctx: AuditContext, h: HostsFile, endpoints: HostsEndpoint[]): void {
  const raw = parseToml(h.text);
  const table = raw.ok ? raw.table : {};
  const seen = new Map<string, HostsEndpoint>();
  for (const endpoint of endpoints) {
    const name = endpoint.url ?? `https://${h.registry}`;
    const line = endpoint.line ?? endpoint.skipVerifyLine;
    if (endpoint.skipVerify === true) {
      ctx.findings.push(
        insecureFinding(ctx, {
          runtime: h.runtime,
          registry: h.registry,
          file: h.file,
          line: endpoint.skipVerifyLine,
          setting: "skip_verify = true",
          effect: `skips certificate and hostname verification when talking to ${name}`,
          text: h.text,
          fix: [
            `Delete skip_verify from ${h.file} and trust the CA instead: regtrust trust ${h.registry} --ca <ca.pem>`,
          ],
        }),
      );
    }
    if (endpoint.scheme === "http")
      ctx.findings.push(plainHttpFinding(h.runtime, h.registry, name, h.file, line));
    checkDuplicate(ctx, h, seen, endpoint);
    const config = endpoint.kind === "host" && endpoint.url ? hostTable(table, endpoint.url) : table;
    checkCaPaths(ctx, h, endpoint, config);
    checkClientPairs(ctx, h, config, endpoint.line ?? null);
  }
  checkTopLevelSkipVerify(ctx, h, endpoints);
}

function hostTable(table: TomlTable, url: string): TomlTable {
  const hosts = isTable(table.host) ? table.host : {};
  const config = hosts[url];
  return isTable(config) ? config : {};
}

/** Two `[host]` keys that are the same endpoint once written the way containerd normalises them. */
function checkDuplicate(
  ctx: AuditContext,
  h: HostsFile,
  seen: Map<string, HostsEndpoint>,
  e: HostsEndpoint,
): void {
  if (e.kind !== "host" || e.url === null) return;
  const key = `${e.scheme}://${e.host}${pathOf(e.url)}`;
  const first = seen.get(key);
  if (!first) {
    seen.set(key, e);
    return;
  }
  ctx.findings.push(
    finding(
      "config-invalid",
      "warning",
      `${h.file} lists the endpoint ${key} twice ([host."${first.url}"] and [host."${e.url}"]); the second is tried again after the first fails, doubling the wait before the next mirror.`,
      {
        ...at(h.file, e.line),
        contexts: [h.runtime],
        fix: [`Delete one of the two [host] tables from ${h.file}`],
      },
    ),
  );
}

/**
 * A relative `ca` is valid: containerd resolves it against the hosts.toml
 * directory (remotes/docker/config/hosts.go, makeAbsPath), and regtrust writes
 * its own CA that way. It is a trap only when it resolves to nothing while the
 * same text read from "/" names a file: a missing leading slash (issue #17
 * item 4: audit flagged every directory regtrust had just fixed).
 */
function checkRelativeCa(ctx: AuditContext, h: HostsFile, e: HostsEndpoint, path: string): void {
  const resolved = posix.join(h.dir, path);
  const fromRoot = posix.join("/", path);
  if (ctx.fs.exists(resolved) || !ctx.fs.exists(fromRoot)) return;
  ctx.findings.push(
    finding(
      "config-invalid",
      "error",
      `ca = "${path}" in ${h.file} is relative: containerd resolves it against the hosts.toml directory, to ${resolved}, which does not exist; ${fromRoot} does (a missing leading slash).`,
      {
        ...at(h.file, e.caLine),
        contexts: [h.runtime],
        fix: [`Write the absolute path in ${h.file}: ca = "${fromRoot}"`],
      },
    ),
  );
}

function pathOf(url: string): string {
  const rest = url.replace(/^[a-z]+:\/\//, "");
  const slash = rest.indexOf("/");
  return slash < 0 ? "" : rest.slice(slash).replace(/\/+$/, "");
}

function checkCaPaths(ctx: AuditContext, h: HostsFile, e: HostsEndpoint, config: TomlTable): void {
  const rawCa = typeof config.ca === "string" ? [config.ca] : Array.isArray(config.ca) ? config.ca : [];
  const relative = rawCa.filter((p): p is string => typeof p === "string" && !p.startsWith("/"));
  for (const path of relative) checkRelativeCa(ctx, h, e, path);
  for (const path of e.ca ?? []) {
    auditCaFile(ctx, {
      path,
      declaredIn: { file: h.file, line: e.caLine },
      runtime: h.runtime,
      registry: h.registry,
      origin: "hosts.toml ca",
    });
  }
}

function checkClientPairs(ctx: AuditContext, h: HostsFile, config: TomlTable, line: number | null): void {
  const client = config.client;
  const entries = typeof client === "string" ? [client] : Array.isArray(client) ? client : [];
  for (const entry of entries) {
    const pair = typeof entry === "string" ? [entry, ""] : Array.isArray(entry) ? entry : [];
    const [cert, key] = pair.map((p) =>
      typeof p === "string" && p !== "" ? (p.startsWith("/") ? p : posix.join(h.dir, p)) : null,
    );
    if (!cert) continue;
    auditClientPair(ctx, {
      cert,
      key: key ?? null,
      declaredIn: { file: h.file, line },
      runtime: h.runtime,
      registry: h.registry,
    });
  }
}

/**
 * Top-level keys of hosts.toml configure only the `server` entry, which is
 * tried last; `[host."…"]` mirrors still verify TLS (k3s-io/k3s#13215). A
 * top-level skip_verify next to host tables almost always meant the mirrors.
 */
function checkTopLevelSkipVerify(ctx: AuditContext, h: HostsFile, endpoints: HostsEndpoint[]): void {
  const server = endpoints.find((e) => e.kind === "server");
  const verifying = endpoints.filter((e) => e.kind === "host" && e.skipVerify === null);
  if (server?.skipVerify !== true || verifying.length === 0) return;
  const target = server.url ?? `https://${h.registry}`;
  ctx.findings.push(
    finding(
      "config-invalid",
      "warning",
      `skip_verify at the top of ${h.file} applies only to the server entry (${target}), which is tried last; the mirrors ${verifying.map((e) => e.url).join(", ")} still verify certificates, so TLS errors from them are not skipped.`,
      {
        ...at(h.file, server.skipVerifyLine),
        contexts: [h.runtime],
        fix: [
          `Move skip_verify into each [host."…"] table that needs it (better: trust the CA with regtrust trust ${h.registry} --ca <ca.pem>)`,
        ],
      },
    ),
  );
}

/** No (usable) hosts.toml: containerd loads *.crt as CAs and *.cert/*.key as client pairs (hosts.go `loadCertFiles`). */
function auditCertFileFallback(ctx: AuditContext, dir: string, registry: string, runtime: string): void {
  const read = readCertsDir(ctx.fs, dir, { missingKeyHint: "", skipVanishedCrt: false });
  for (const source of read?.caFiles ?? []) {
    auditCaFile(ctx, { path: source.path, declaredIn: null, runtime, registry, origin: "certs.d *.crt" });
  }
  for (const path of read?.ignored ?? []) {
    ctx.findings.push(
      finding(
        "ca-file-unusable",
        "warning",
        `${runtime} never loads ${path}: without a hosts.toml only files ending in .crt are read as CA certificates in ${dir}.`,
        {
          file: path,
          contexts: [runtime],
          fix: [`mv ${path} ${path.replace(/\.[^./]+$/, ".crt")}   # if it is the registry's CA (PEM)`],
        },
      ),
    );
  }
}
