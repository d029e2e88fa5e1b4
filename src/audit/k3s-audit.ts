import { finding } from "../findings/finding.ts";
import { LATEST_FEATURES } from "../node/containerd/features.ts";
import { agentContainerdDir } from "../node/k3s/k3s.ts";
import { type Distribution, type RegistriesYaml, readRegistriesYaml } from "../node/k3s/registries-yaml.ts";
import { yamlParser } from "../node/yaml-parser.ts";
import { auditCaFile } from "./ca-files.ts";
import { auditClientPair } from "./client-keys.ts";
import { auditContainerd } from "./containerd-audit.ts";
import { type AuditContext, at } from "./context.ts";
import { credentialFindings } from "./credentials.ts";
import { insecureFinding, plainHttpFinding } from "./insecure.ts";

/**
 * k3s/RKE2: registries.yaml (the file to edit) and the containerd config and
 * hosts.toml files k3s rendered from it at its last start (runtimes.md §4).
 */
export function auditK3s(ctx: AuditContext, dist: Distribution): void {
  const yaml = readRegistriesYaml(ctx.fs, dist);
  const restart = `systemctl restart ${dist === "k3s" ? "k3s" : "rke2-server"}`;
  ctx.findings.push(...yaml.findings.map((f) => ({ ...f, contexts: [dist] })));
  ctx.findings.push(...credentialFindings(ctx.fs, dist, yaml.credentials));
  auditMirrors(ctx, dist, yaml, restart);
  auditConfigs(ctx, dist, yaml, restart);
  const etc = agentContainerdDir(dist);
  auditContainerd(ctx, {
    runtime: dist,
    configFile: `${etc}/config.toml`,
    defaultRoots: [`${etc}/certs.d`],
    unsetCheckRoots: [],
    restart,
    features: LATEST_FEATURES,
  });
}

function auditMirrors(ctx: AuditContext, dist: Distribution, yaml: RegistriesYaml, restart: string): void {
  for (const [registry, mirror] of yaml.mirrors) {
    ctx.registries.add(registry);
    for (const endpoint of mirror.endpoints.filter((e) => e.startsWith("http://"))) {
      ctx.findings.push(plainHttpFinding(dist, registry, endpoint, yaml.path, mirror.line));
    }
    const normalised = mirror.endpoints.map((e) => e.replace(/\/+$/, "").replace(/\/v2$/, ""));
    const dupes = [...new Set(normalised.filter((e, i) => normalised.indexOf(e) !== i))];
    if (dupes.length === 0) continue;
    // k3s renders each endpoint as a [host."…"] table; a repeat is a duplicated
    // TOML table, so containerd rejects the whole hosts.toml (k3s-io/k3s#9693).
    ctx.findings.push(
      finding(
        "config-invalid",
        "error",
        `mirrors."${registry}".endpoint in ${yaml.path} lists ${dupes.join(", ")} more than once; older ${dist} releases render that as duplicated [host] tables, containerd rejects the generated hosts.toml, and no mirror is used at all.`,
        {
          ...at(yaml.path, mirror.line),
          contexts: [dist],
          fix: [`Remove the repeated endpoint from ${yaml.path}, then: ${restart}`],
        },
      ),
    );
  }
}

function auditConfigs(ctx: AuditContext, dist: Distribution, yaml: RegistriesYaml, restart: string): void {
  const clientFiles = readClientFiles(yaml.text);
  for (const [host, config] of yaml.configs) {
    ctx.registries.add(host);
    const tls = config.tls;
    if (tls?.caFile) {
      auditCaFile(ctx, {
        path: tls.caFile,
        declaredIn: { file: yaml.path, line: tls.caFileLine },
        runtime: dist,
        registry: host,
        origin: "registries.yaml ca_file",
      });
    }
    const client = clientFiles.get(host);
    if (client) {
      auditClientPair(ctx, {
        ...client,
        declaredIn: { file: yaml.path, line: config.line },
        runtime: dist,
        registry: host,
      });
    }
    if (!tls?.insecureSkipVerify) continue;
    ctx.findings.push(
      insecureFinding(ctx, {
        runtime: dist,
        registry: host,
        file: yaml.path,
        line: tls.insecureSkipVerifyLine,
        setting: "insecure_skip_verify: true",
        effect: "skips certificate and hostname verification",
        text: yaml.text,
        fix: [`Delete insecure_skip_verify from ${yaml.path} and set tls.ca_file instead, then: ${restart}`],
      }),
    );
  }
}

/** `configs.<host>.tls.cert_file/key_file`, which the shared reader does not keep. */
function readClientFiles(text: string): Map<string, { cert: string; key: string | null }> {
  const out = new Map<string, { cert: string; key: string | null }>();
  if (text === "") return out;
  const { isMap, isScalar, parseDocument } = yamlParser();
  const configs = parseDocument(text).get("configs", true);
  if (!isMap(configs)) return out;
  for (const pair of configs.items) {
    if (!isScalar(pair.key) || !isMap(pair.value)) continue;
    const tls = pair.value.get("tls", true);
    if (!isMap(tls)) continue;
    const cert = tls.get("cert_file");
    const key = tls.get("key_file");
    if (typeof cert === "string" && cert !== "") {
      out.set(String(pair.key.value), { cert, key: typeof key === "string" && key !== "" ? key : null });
    }
  }
  return out;
}
