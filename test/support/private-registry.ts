/**
 * The incident's registry: the Debian docker-registry on loopback serving
 * leaf + intermediate of a private CA, reached as repo.example.com (mapped to
 * 127.0.0.1 by etc-hosts.ts), with the root written to a file for `--ca`.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { ensureTestHosts } from "./etc-hosts.ts";
import { type RunningRegistry, startRegistry } from "./registry.ts";
import type { TempDirs } from "./tmp.ts";

export interface PrivateRegistry {
  registry: RunningRegistry;
  /** repo.example.com:<port> */
  target: string;
  /** The private root CA, PEM, in a file. */
  caFile: string;
  caPem: string;
}

export async function startPrivateCaRegistry(
  dirs: TempDirs,
  host = "repo.example.com",
): Promise<PrivateRegistry> {
  await ensureTestHosts();
  const pki = await createPrivatePki({ hostnames: [host] });
  const registry = await startRegistry({
    tls: { certPem: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`, keyPem: pki.leaf.keyPem },
  });
  const caFile = join(await dirs.make("private-ca"), "ca.crt");
  await writeFile(caFile, pki.root.certPem);
  return { registry, target: `${host}:${registry.port}`, caFile, caPem: pki.root.certPem };
}
