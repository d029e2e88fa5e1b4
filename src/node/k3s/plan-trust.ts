import type { YAMLMap } from "yaml";
import { goAppendCertsFromPEM, toPem } from "../../pki/read-bundle.ts";
import { editFile, newPlan, restartCommand, writeOwnedFile } from "../../plan/plan.ts";
import { actionOf, type ContextPlan, registryFileStem, type TrustChange } from "../ca-install.ts";
import type { HostFs } from "../host-fs.ts";
import { insecureMarkerComment } from "../insecure-marker.ts";
import { assertRegistryName } from "../registry-name.ts";
import { yamlParser } from "../yaml-parser.ts";
import { type Distribution, readRegistriesYaml, registriesYamlPath } from "./registries-yaml.ts";

const UNIT_DIRS = [
  "/etc/systemd/system",
  "/usr/local/lib/systemd/system",
  "/usr/lib/systemd/system",
  "/lib/systemd/system",
];

/**
 * k3s/RKE2's part: `configs."<registry>".tls.ca_file` (or an expiring
 * `insecure_skip_verify`) in registries.yaml, edited through the yaml
 * Document API so comments and every other entry survive; the file keeps its
 * mode (a new one is 0600: it usually holds credentials). k3s renders
 * registries.yaml into containerd's hosts.toml only when it starts, so the
 * service must restart (runtimes.md §4). The CA goes to
 * /etc/rancher/<dist>/regtrust/: ca_file is referenced by path, never copied.
 */
export function planK3sTrust(
  fs: HostFs,
  dist: Distribution,
  registry: string,
  change: TrustChange,
): ContextPlan {
  assertRegistryName(registry);
  const plan = newPlan(registry, actionOf(change));
  const path = registriesYamlPath(dist);
  const current = readRegistriesYaml(fs, dist);
  if (!current.valid) {
    const refusal = {
      reason: `${path} does not parse; fix it first`,
      manual: current.findings[0]?.fix ?? [],
    };
    return { context: dist, plan, restartUnit: null, refusal };
  }
  const text = fs.readText(path);
  const yaml = yamlParser();
  const doc = yaml.parseDocument(text ?? "");
  if (doc.contents === null) doc.contents = new yaml.YAMLMap() as unknown as typeof doc.contents;
  const tls = tlsMap(doc.contents, registry);
  if (!tls) {
    const refusal = {
      reason: `${path} does not have the mappings regtrust expects (configs."${registry}".tls)`,
      manual: [
        `Add to ${path}:`,
        "configs:",
        `  "${registry}":`,
        "    tls:",
        `      ${settingLine(change, dist, registry)}`,
      ],
    };
    return { context: dist, plan, restartUnit: null, refusal };
  }
  if (change.kind === "trust") {
    const caPath = `/etc/rancher/${dist}/regtrust/${registryFileStem(registry)}-${change.ca.id}.crt`;
    const content = caContent(fs, tls, caPath, change.ca.pem, change.replace?.ever);
    plan.changes.push(writeOwnedFile(caPath, content, `${dist} trusts this CA for ${registry} (ca_file)`));
    setScalar(tls, "ca_file", caPath, null);
  } else {
    setScalar(tls, "insecure_skip_verify", true, insecureMarkerComment(change.expiresAt).replace(/^#/, ""));
  }
  const after = String(doc);
  const reason =
    change.kind === "trust"
      ? `${dist} renders configs."${registry}".tls into containerd's hosts.toml at start`
      : `EMERGENCY: ${dist} skips TLS verification for ${registry} until ${change.expiresAt.toISOString()}`;
  plan.changes.push(editFile(path, text, after, reason, { mode: 0o600 }));
  const unit = serviceUnit(fs, dist);
  plan.commands.push(restartCommand(unit, `${dist} reads registries.yaml only when it starts`, path));
  return { context: dist, plan, restartUnit: unit, restartFile: path, refusal: null };
}

function settingLine(change: TrustChange, dist: Distribution, registry: string): string {
  return change.kind === "trust"
    ? `ca_file: /etc/rancher/${dist}/regtrust/${registryFileStem(registry)}-${change.ca.id}.crt`
    : "insecure_skip_verify: true";
}

/** configs → "<registry>" → tls, created as needed (the registry key quoted, as the k3s docs write it). */
function tlsMap(root: unknown, registry: string): YAMLMap | null {
  const { isMap, isScalar, Scalar, YAMLMap } = yamlParser();
  let node: unknown = root;
  for (const [key, quote] of [
    ["configs", false],
    [registry, true],
    ["tls", false],
  ] as const) {
    if (!isMap(node)) return null;
    let child: unknown = node.get(key, true);
    if (child === undefined || (isScalar(child) && child.value === null)) {
      child = new YAMLMap();
      const keyNode = new Scalar(key);
      if (quote) keyNode.type = "QUOTE_DOUBLE";
      node.set(keyNode, child);
    }
    node = child;
  }
  return isMap(node) ? node : null;
}

/** Sets a value, keeping the existing node (and its comments) when there is one. */
function setScalar(map: YAMLMap, key: string, value: string | boolean, comment: string | null): void {
  const { isScalar, Scalar } = yamlParser();
  const existing = map.get(key, true);
  const node = isScalar(existing) ? existing : new Scalar(value);
  node.value = value;
  if (comment !== null) node.comment = comment;
  if (!isScalar(existing)) map.set(key, node);
}

/**
 * Our CA, after whatever the ca_file in place already trusted (a registry has
 * one ca_file). With --replace (`retire` = every anchor regtrust ever
 * installed), regtrust's earlier anchors are dropped from what was there, so
 * only the operator's own and the new bundle remain.
 */
function caContent(
  fs: HostFs,
  tls: YAMLMap,
  caPath: string,
  pem: string,
  retire?: ReadonlySet<string>,
): string {
  const previous = tls.get("ca_file");
  if (typeof previous !== "string" || previous === "") return pem;
  let bytes: Buffer | null = null;
  try {
    bytes = fs.readFile(previous);
  } catch {
    bytes = null;
  }
  if (bytes === null) return pem;
  const certs = goAppendCertsFromPEM(new Uint8Array(bytes)).filter((c) => !retire?.has(c.sha256));
  const ours = goAppendCertsFromPEM(new Uint8Array(Buffer.from(pem)));
  const merged = [...certs, ...ours.filter((c) => !certs.some((o) => o.sha256 === c.sha256))];
  if (retire) return toPem(merged);
  return previous === caPath && merged.length === certs.length ? bytes.toString("utf8") : toPem(merged);
}

/** Servers run `k3s` / `rke2-server`, agents `k3s-agent` / `rke2-agent`. */
function serviceUnit(fs: HostFs, dist: Distribution): string {
  const units = dist === "k3s" ? ["k3s", "k3s-agent"] : ["rke2-server", "rke2-agent"];
  const installed = units.find((unit) =>
    UNIT_DIRS.some((dir) => {
      try {
        return fs.exists(`${dir}/${unit}.service`);
      } catch {
        return false;
      }
    }),
  );
  return installed ?? units[0]!;
}
