/**
 * One private-CA registry per test file: docker-registry serving leaf +
 * intermediate for repo.example.com, an image pushed to it, and the root CA
 * as a file for `--ca`.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before } from "node:test";
import { writeCertDir } from "../support/certs-d.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { pushTestImage } from "../support/oci-image.ts";
import { type RunningRegistry, startRegistry } from "../support/registry.ts";
import { makeScenarioPki } from "../support/scenario-pki.ts";
import type { TempDirs } from "../support/tmp.ts";

export interface TrustFixture {
  registry: RunningRegistry;
  /** repo.example.com:<port> */
  host: string;
  /** host/team/app:v1, pushed. */
  image: string;
  rootPem: string;
  /** root.pem on disk. */
  caFile: string;
}

/**
 * The suite's one fixture: started in a `before` hook of the calling scope, stopped (and `dirs`
 * cleaned) in its `after` hook. The object is filled in when the hook has run, so tests read it
 * as they would a fixture they started themselves.
 */
export function sharedTrustFixture(dirs: TempDirs): TrustFixture {
  const fx = {} as TrustFixture;
  before(async () => {
    Object.assign(fx, await startTrustFixture(dirs));
  });
  after(async () => {
    await fx.registry?.stop();
    await dirs.cleanup();
  });
  return fx;
}

export async function startTrustFixture(dirs: TempDirs): Promise<TrustFixture> {
  await ensureTestHosts();
  const pki = await makeScenarioPki();
  const registry = await startRegistry({
    tls: { certPem: pki.leaf.certPem + pki.intermediatePem, keyPem: pki.leaf.keyPem },
  });
  const host = `repo.example.com:${registry.port}`;
  const pushCerts = await writeCertDir(await dirs.make("push-certs"), pki.rootPem);
  await pushTestImage({ registry: host, repository: "team/app", tag: "v1", certDir: pushCerts });
  const caFile = join(await dirs.make("ca"), "root.pem");
  await writeFile(caFile, pki.rootPem);
  return { registry, host, image: `${host}/team/app:v1`, rootPem: pki.rootPem, caFile };
}
