import { finding } from "../findings/finding.ts";
import { readTrustSource } from "../node/trust-source.ts";
import { goAppendCertsFromPEM } from "../pki/read-bundle.ts";
import { type AuditContext, at, where } from "./context.ts";
import { modeOf } from "./credentials.ts";

export interface ClientPairRef {
  cert: string;
  /** Null when the certificate file holds the key too. */
  key: string | null;
  declaredIn: { file: string; line: number | null };
  runtime: string;
  registry: string;
}

/**
 * A client certificate pair for mTLS. Two mistakes seen in the field
 * (k3s-io/k3s#1148): the registry's own server certificate and key configured
 * as the client pair, which copies the server's private key onto every node;
 * and a private key file other users can read.
 */
export function auditClientPair(ctx: AuditContext, ref: ClientPairRef): void {
  const keyPath = ref.key ?? ref.cert;
  const mode = modeOf(ctx.fs, keyPath);
  const loc = at(ref.declaredIn.file, ref.declaredIn.line);
  if (mode !== null && (mode & 0o004) !== 0) {
    ctx.findings.push(
      finding(
        "private-key-exposed",
        "warning",
        `The client private key ${keyPath} for ${ref.registry} is world-readable (mode ${mode.toString(8).padStart(4, "0")}); any local user can impersonate this node to the registry.`,
        {
          ...loc,
          contexts: [ref.runtime],
          evidence: [`client key: ${keyPath}`],
          fix: [`chmod 0600 ${keyPath}`],
        },
      ),
    );
  }
  const source = readTrustSource(ctx.fs, ref.cert, "client certificate");
  const cert = source.bytes === null ? undefined : goAppendCertsFromPEM(source.bytes)[0];
  if (!cert) return;
  const registryHost = ref.registry.replace(/:\d+$/, "");
  const serverOnly = cert.extKeyUsage.includes("serverAuth") && !cert.extKeyUsage.includes("clientAuth");
  const namesRegistry = cert.sans.dns.includes(registryHost) || cert.sans.ip.includes(registryHost);
  if (!serverOnly && !namesRegistry) return;
  ctx.findings.push(
    finding(
      "private-key-exposed",
      "warning",
      `The client certificate ${ref.cert} configured at ${where(ref.declaredIn.file, ref.declaredIn.line)} looks like ${ref.registry}'s own server certificate (${serverOnly ? "serverAuth only" : `its SANs name ${registryHost}`}): the registry's private key has been copied to this node. A CA needs only the CA certificate (ca / ca_file), not the server key.`,
      {
        ...loc,
        contexts: [ref.runtime],
        evidence: [`subject: ${cert.subject}`, `extKeyUsage: ${cert.extKeyUsage.join(", ") || "(none)"}`],
        fix: [
          `Remove the client/cert_file/key_file setting and delete ${keyPath} from the node unless the registry really requires a client certificate`,
          `regtrust trust ${ref.registry} --ca <registry-ca.pem>`,
        ],
      },
    ),
  );
}
