import { createHash } from "node:crypto";
import type { TrustContext } from "../evaluate/evaluate-context.ts";
import { buildPool, goRefusedCaFinding, type LoadedSource, loadTrustSource } from "../evaluate/trust-pool.ts";
import type { Finding } from "../findings/finding.ts";
import type { NodeView } from "../node/node-view.ts";
import type { RuntimeName, SystemStore, TrustSource } from "../node/types.ts";
import type { Certificate } from "../pki/certificate.ts";
import { ASSUMED_GO, type GoToolchainSource, goRules } from "../pki/go-rules.ts";

/**
 * The trust contexts of this node for one registry: the OS store as Go loads
 * it, then each runtime's pool (OS store + its per-registry CA files).
 * `addresses` are the registry's addresses as the node resolved them (the probe's DNS answer).
 */
export function buildContexts(
  view: NodeView,
  registry: string,
  runtimes: readonly RuntimeName[],
  systemSources: readonly LoadedSource[],
  addresses?: readonly string[],
): { contexts: TrustContext[]; findings: Finding[] } {
  // The OS store as "a Go client" sees it: no binary to read, so the assumed Go.
  const systemRules = goRules(ASSUMED_GO);
  const contexts: TrustContext[] = [
    {
      name: "system",
      pool: buildPool(systemSources, systemRules),
      insecure: null,
      view: null,
      go: ASSUMED_GO,
      rules: systemRules,
    },
  ];
  const findings: Finding[] = [];
  for (const runtime of runtimes) {
    const runtimeView = view.trustFor(runtime, registry, addresses);
    const caSources = runtimeView.caFiles.map((source) => loadTrustSource(source, true));
    const sources = runtimeView.usesSystemRoots ? [...systemSources, ...caSources] : caSources;
    const go: GoToolchainSource = runtimeView.goToolchain ?? ASSUMED_GO;
    const rules = goRules(go);
    contexts.push({
      name: runtime,
      pool: buildPool(sources, rules),
      insecure: runtimeView.insecure,
      view: runtimeView,
      go,
      rules,
    });
    const refused = caSources.map((s) => goRefusedCaFinding(s, rules)).filter((f) => f !== null);
    for (const f of [...runtimeView.findings, ...caSources.flatMap((s) => s.findings), ...refused]) {
      findings.push({ ...f, contexts: f.contexts ?? [runtime] });
    }
  }
  return { contexts, findings };
}

/** Loads the OS store once; a scan of many targets shares the result. */
export function loadSystemSources(store: SystemStore): LoadedSource[] {
  const files: TrustSource[] = store.bundle ? [store.bundle, ...store.dirFiles] : [...store.dirFiles];
  const seen = new Set<string>();
  const parsed = new Map<string, Certificate>();
  const loaded: LoadedSource[] = [];
  for (const source of files) {
    if (source.bytes === null) continue;
    // Debian's /etc/ssl/certs holds the bundle and one link per root: the same
    // bytes reached twice add nothing (Go's pool dedupes the same way).
    const key = createHash("sha256").update(source.bytes).digest("hex");
    if (seen.has(key)) continue;
    seen.add(key);
    loaded.push(loadTrustSource(source, false, parsed));
  }
  return loaded;
}
