import { finding } from "../findings/finding.ts";
import { HostFsError } from "../node/host-fs.ts";
import type { SystemStore } from "../node/types.ts";
import { toHex } from "../pki/der.ts";
import { readCertificates } from "../pki/read-bundle.ts";
import type { AuditContext } from "./context.ts";

/**
 * A Debian OS store against what its tool builds it from. Debian's
 * update-ca-certificates (ca-certificates 20230311+deb12u1) concatenates every
 * certificate /etc/ca-certificates.conf selects from /usr/share/ca-certificates
 * into /etc/ssl/certs/ca-certificates.crt and links `<name>.pem` in
 * /etc/ssl/certs to each source file. Run without those inputs (as an earlier
 * regtrust agent did on the DaemonSet's partial /host, issue 16), it writes a
 * bundle of the local CAs alone, exit 0: Go, curl and OpenSSL then trust no
 * public registry, and its links lead to `/host/…` paths the node does not
 * have. Both are reported with the fix: the node's own tool, `--fresh`.
 */
const CONF = "/etc/ca-certificates.conf";
const CERTS_DIR = "/usr/share/ca-certificates";
const ETC_CERTS = "/etc/ssl/certs";
const BUNDLE = `${ETC_CERTS}/ca-certificates.crt`;
const FIX = `update-ca-certificates --fresh   # on the node: rebuilds ${BUNDLE} and its links from ${CONF}`;

export function auditOsBundle(ctx: AuditContext, store: SystemStore): void {
  if (store.distro.family !== "debian") return;
  const conf = readText(ctx, CONF);
  const bundle = store.bundle?.path === BUNDLE ? store.bundle.bytes : null;
  if (conf !== null && bundle !== null) missingPublicRoots(ctx, conf, bundle);
  danglingLinks(ctx);
}

/** Certificates the conf selects (`sed -e '/^$/d' -e '/^#/d' -e '/^!/d'`) that are not in the bundle. */
function missingPublicRoots(ctx: AuditContext, conf: string, bundle: Uint8Array): void {
  const inBundle = new Set(certsOf(bundle, BUNDLE).map((c) => toHex(c.der)));
  const selected = conf.split("\n").filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("!"));
  const missing: string[] = [];
  let readable = 0;
  for (const name of selected) {
    const bytes = readBytes(ctx, `${CERTS_DIR}/${name}`);
    if (bytes === null) continue; // the tool warns and skips it too
    const certs = certsOf(bytes, name);
    readable += certs.length > 0 ? 1 : 0;
    for (const cert of certs) if (!inBundle.has(toHex(cert.der))) missing.push(cert.subject);
  }
  if (missing.length === 0) return;
  ctx.findings.push(
    finding(
      "os-store-inconsistent",
      "error",
      `${BUNDLE} lacks ${missing.length} of the certificates ${CONF} selects from ${CERTS_DIR} (${readable} files): Go, curl and OpenSSL on this node distrust every registry those roots issued, public ones included`,
      {
        evidence: missing.slice(0, 3).map((s) => `missing: ${s}`),
        fix: [FIX],
        contexts: ["system"],
        file: BUNDLE,
      },
    ),
  );
}

/** `<name>.pem` links (update-ca-certificates' `add`) whose target is not on this node. */
function danglingLinks(ctx: AuditContext): void {
  const dangling: string[] = [];
  for (const name of listDir(ctx, ETC_CERTS)) {
    if (!name.endsWith(".pem")) continue;
    const path = `${ETC_CERTS}/${name}`;
    const target = safe(() => ctx.fs.readLink(path));
    if (target === null || target === undefined) continue;
    if (!safe(() => ctx.fs.exists(path))) dangling.push(`${path} -> ${target}`);
  }
  if (dangling.length === 0) return;
  ctx.findings.push(
    finding(
      "os-store-inconsistent",
      "warning",
      `${dangling.length} certificate link(s) in ${ETC_CERTS} lead to files this node does not have: OpenSSL's lookup by hash finds no certificate for them`,
      { evidence: dangling.slice(0, 3), fix: [FIX], contexts: ["system"], file: ETC_CERTS },
    ),
  );
}

function certsOf(bytes: Uint8Array, name: string) {
  try {
    return readCertificates(bytes, name).certs;
  } catch {
    return [];
  }
}

function readText(ctx: AuditContext, path: string): string | null {
  return readBytes(ctx, path)?.toString("utf8") ?? null;
}

function readBytes(ctx: AuditContext, path: string): Buffer | null {
  return safe(() => ctx.fs.readFile(path)) ?? null;
}

function listDir(ctx: AuditContext, dir: string): string[] {
  return safe(() => ctx.fs.readDir(dir)) ?? [];
}

/** Unreadable, looping or escaping paths are what other checks report; here they count as absent. */
function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof HostFsError) return undefined;
    throw error;
  }
}
