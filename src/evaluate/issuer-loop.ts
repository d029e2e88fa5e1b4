import { type Finding, finding } from "../findings/finding.ts";
import type { Certificate } from "../pki/certificate.ts";
import { issuerLoop } from "../pki/chain-problems.ts";

/**
 * The unknown-authority finding for a chain whose issuers loop (pki
 * issuerLoop): Go stops at the loop without a root, and the fix is the
 * server's certificate file, not the node's trust. Null when there is no loop.
 */
export function issuerLoopFinding(
  goMessage: string,
  presented: readonly Certificate[],
  path: readonly Certificate[],
  registry: string,
): Finding | null {
  const loop = issuerLoop(path);
  if (!loop) return null;
  const at = (cert: Certificate) => `#${presented.indexOf(cert) + 1} "${cert.subject}"`;
  const walk = [...path.map(at), `${at(loop.issuer)} again`].join(" → ");
  return finding(
    "unknown-authority",
    "error",
    `The certificates the server sends form a loop: ${at(loop.top)} was issued by ${at(loop.issuer)}, which is already on the path from the server certificate, so the chain never reaches a root. containerd and other Go runtimes stop at the loop: ${goMessage}.`,
    {
      evidence: [goMessage, `issuer path as sent: ${walk}`],
      fix: [
        "Fix the server's certificate file: send the server certificate, then the intermediates that lead to your root CA, not CA certificates issued by each other (cross-signing gone wrong); reload the registry.",
        `Then trust that root on the node if it does not yet: regtrust trust ${registry} --ca root.pem`,
      ],
    },
  );
}
