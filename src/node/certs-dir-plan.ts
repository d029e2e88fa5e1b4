import { goAppendCertsFromPEM } from "../pki/read-bundle.ts";
import { type WriteChange, writeOwnedFile } from "../plan/plan.ts";
import type { CaBundle, ReplaceScope } from "./ca-install.ts";
import type { HostFs } from "./host-fs.ts";

/**
 * The CA file in a Docker-layout certs.d/<registry> directory (dockerd and
 * containers/image read every `*.crt` there as a CA; runtimes.md §2, §3):
 * `ca.crt`, the conventional name, unless a different `ca.crt` is already
 * there — then `regtrust-<id>.crt` beside it, so the existing one keeps
 * working. Nothing is written when `ca.crt` already holds exactly this CA.
 */
export function certsDirCaWrite(
  fs: HostFs,
  dir: string,
  ca: CaBundle,
  reason: string,
  replace?: ReplaceScope,
): WriteChange | null {
  const existing = fs.readFile(`${dir}/ca.crt`);
  if (existing === null) return writeOwnedFile(`${dir}/ca.crt`, ca.pem, reason);
  // --replace: a ca.crt regtrust wrote is regtrust's to rewrite (the other CA files it owns go in plan-contexts.ts).
  if (replace?.ownedFiles.includes(`${dir}/ca.crt`)) {
    return writeOwnedFile(`${dir}/ca.crt`, ca.pem, reason);
  }
  const have = goAppendCertsFromPEM(new Uint8Array(existing)).map((c) => c.sha256);
  const want = ca.certs.map((c) => c.sha256);
  if (have.length === want.length && want.every((sha) => have.includes(sha))) return null;
  return writeOwnedFile(`${dir}/regtrust-${ca.id}.crt`, ca.pem, reason);
}
