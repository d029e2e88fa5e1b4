import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { createPrivatePki, type IssuedCert } from "../pki/generate.ts";
import { writeOutputFile } from "../plan/write-output.ts";
import type { Resolver } from "../probe/resolver.ts";
import { writeDemoNode } from "./demo-node.ts";
import { type DemoRegistry, startDemoRegistry } from "./demo-registry.ts";

export const DEMO_HOST = "repo.example.com";

/**
 * The incident on loopback: a registry whose certificate comes from a private
 * root and intermediate, and a throwaway node whose OS store holds only
 * public roots and whose containerd reads certs.d but has nothing for it.
 */
export interface DemoScenario {
  registry: string;
  root: string;
  rootCa: IssuedCert;
  rootCaFile: string;
  /** SHA-256 of the root CA, as `openssl x509 -fingerprint -sha256` prints it. */
  rootCaSha256: string;
  /** Resolves the demo host name to loopback without touching /etc/hosts. */
  resolver: Resolver;
  close(): Promise<void>;
}

export async function startDemoScenario(): Promise<DemoScenario> {
  const pki = await createPrivatePki({ hostnames: [DEMO_HOST], rootName: "Example Corp Private Root CA" });
  const server: DemoRegistry = await startDemoRegistry({
    certChainPem: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`,
    keyPem: pki.leaf.keyPem,
    host: DEMO_HOST,
  });
  const root = mkdtempSync(join(tmpdir(), "regtrust-demo-node-"));
  const workDir = mkdtempSync(join(tmpdir(), "regtrust-demo-pki-"));
  try {
    await writeDemoNode(root, { publicRoots: rootCertificates });
    const rootCaFile = join(workDir, "example-corp-root.pem");
    writeOutputFile(rootCaFile, pki.root.certPem);
    return {
      registry: `${DEMO_HOST}:${server.port}`,
      root,
      rootCa: pki.root,
      rootCaFile,
      rootCaSha256: createHash("sha256")
        .update(pki.root.der)
        .digest("hex")
        .toUpperCase()
        .replace(/(..)(?!$)/g, "$1:"),
      resolver: { lookup: async (name) => (name === DEMO_HOST ? ["127.0.0.1"] : []) },
      close: async () => {
        await server.close();
        rmSync(root, { recursive: true, force: true });
        rmSync(workDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}
