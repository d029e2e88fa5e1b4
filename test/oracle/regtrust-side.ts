/**
 * regtrust's verdict for an oracle case, through its real code path for a
 * runtime context: diagnose() with the probe's facts injected (the chain
 * exactly as a server would send it) and a containerd context whose view
 * carries the case's CA file and the Go build under test. What is compared
 * is the `contexts[]` entry of the --json result: `ok` and `error`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSystemSources } from "../../src/diagnose/contexts.ts";
import { diagnose } from "../../src/diagnose/diagnose.ts";
import { HostFs } from "../../src/node/host-fs.ts";
import type { NodeView } from "../../src/node/node-view.ts";
import { readSystemStore } from "../../src/node/system/system-store.ts";
import type { RuntimeTrustView } from "../../src/node/types.ts";
import type { GoToolchainSource } from "../../src/pki/go-rules.ts";
import type { ProbeResult } from "../../src/probe/types.ts";
import { parseTarget } from "../../src/target/parse-target.ts";
import { type OracleCase, pem } from "./corpus/case.ts";
import type { OracleVerdict } from "./go-oracle.ts";

/** The node side: the same system bundle the oracle gets as SSL_CERT_FILE, no certificate directory. */
export function systemNode(systemBundle: string): {
  store: ReturnType<typeof readSystemStore>;
  cleanup: () => void;
} {
  const emptyDir = mkdtempSync(join(tmpdir(), "regtrust-oracle-nodedir-"));
  const store = readSystemStore(new HostFs("/"), { sslCertFile: systemBundle, sslCertDirs: [emptyDir] });
  return { store, cleanup: () => rmSync(emptyDir, { recursive: true, force: true }) };
}

function registryFor(serverName: string): string {
  return serverName.includes(":") ? `[${serverName}]:443` : serverName;
}

function fakeProbe(c: OracleCase): () => Promise<ProbeResult> {
  return async () => {
    const target = parseTarget(registryFor(c.serverName));
    return {
      target,
      dns: { ok: true, addresses: ["127.0.0.1"], error: null },
      tcp: { ok: true, address: "127.0.0.1", port: target.port, error: null },
      tls: {
        ok: true,
        protocol: "TLSv1.3",
        cipher: "TLS_AES_128_GCM_SHA256",
        presented: c.chain.map((d) => new Uint8Array(d)),
        serverName: target.serverName,
        error: null,
      },
      registry: { ok: true, status: 200, apiVersion: "registry/2.0", challenge: null, error: null },
      realm: null,
      plainHttp: null,
      durationMs: 1,
    };
  };
}

export async function regtrustVerdict(
  c: OracleCase,
  go: GoToolchainSource,
  system: { store: ReturnType<typeof readSystemStore>; sources: ReturnType<typeof loadSystemSources> },
): Promise<OracleVerdict & { findings: { code: string; message: string }[] }> {
  const registry = registryFor(c.serverName);
  const view: RuntimeTrustView = {
    runtime: "containerd",
    registry,
    usesSystemRoots: true,
    caFiles:
      c.roots.length === 0
        ? []
        : [
            {
              path: `/etc/containerd/certs.d/${registry}/ca.crt`,
              bytes: Buffer.from(pem(c.roots)),
              readError: null,
              origin: "certs.d *.crt",
              declaredIn: null,
            },
          ],
    insecure: null,
    configFiles: [],
    findings: [],
    summary: "oracle case",
    goToolchain: go,
  };
  const node: NodeView = {
    distro: system.store.distro,
    system: system.store,
    runtimes: [{ name: "containerd", evidence: [] }],
    trustFor: () => view,
    containerdConfig: () => {
      throw new Error("not used");
    },
  };
  const result = await diagnose(parseTarget(registry), {
    node: { view: node, systemSources: system.sources, runtimes: ["containerd"] },
    timeoutMs: 1000,
    clock: { now: () => c.time },
    expiringDays: 0,
    probe: fakeProbe(c),
  });
  const context = result.contexts.find((x) => x.name === "containerd");
  if (!context) throw new Error(`${c.id}: no containerd context`);
  return { ok: context.ok, error: context.error, findings: result.findings };
}

export { loadSystemSources };
