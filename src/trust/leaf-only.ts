import { buildContexts } from "../diagnose/contexts.ts";
import { loadNode } from "../diagnose/load-node.ts";
import { findIssuer, type KnownCertificate, poolCertificates } from "../evaluate/missing-intermediate.ts";
import type { Certificate } from "../pki/certificate.ts";
import { checkAnchors } from "./anchor-check.ts";
import type { TrustRequest } from "./run-trust.ts";

/**
 * The pre-flight when the server sends only its leaf and the given CA does
 * not anchor it: the usual cause is a server that omits its intermediate,
 * while the root given is right. Go never fetches the intermediate, so:
 * - the intermediate (the leaf's issuer by name, key id and signature) is in
 *   the --ca file or elsewhere on the node, and chains to the given CA: it is
 *   installed with the CA, and the chain verifies;
 * - it is nowhere: the CA is installed as given, with a warning; verification
 *   afterwards reports missing-intermediate with both fixes.
 * A given CA that carries the leaf's issuer name but did not sign it is the
 * wrong CA: null, and the caller refuses as before.
 */
export async function leafOnlyChain(
  req: TrustRequest,
  certs: readonly Certificate[],
  presented: readonly Certificate[],
  now: Date,
  warn: (line: string) => void,
): Promise<Certificate[] | null> {
  const [leaf] = presented;
  if (!leaf || presented.length !== 1 || leaf.selfSigned) return null;
  if (certs.some((c) => c.subjectKey === leaf.issuerKey)) return null;
  const registry = req.target.registry;
  const given: KnownCertificate[] = certs.map((cert) => ({ cert, path: req.caFile ?? "", alone: false }));
  const found = findIssuer(leaf, [...given, ...(await nodeCertificates(req))]);
  if (found && checkAnchors(certs, [leaf, found.cert], now).ok) {
    warn(
      `regtrust: ${registry} sends only its own certificate; its intermediate "${found.cert.subject}" (found in ${found.path}) chains to the CA given, so it is installed with it. Fix the server to send it too.`,
    );
    return [...certs, found.cert];
  }
  if (found) return null;
  warn(
    `regtrust: warning: ${registry} sends only its own certificate, issued by "${leaf.issuer}", which is neither in ${req.caFile} nor on this node: regtrust cannot check that the CA anchors it and installs it as given. ` +
      "Pulls keep failing until the server sends its intermediate, or the intermediate is trusted too.",
  );
  return [...certs];
}

/** Every certificate the node's trust contexts load (OS store, per-registry CA files). */
async function nodeCertificates(req: TrustRequest): Promise<KnownCertificate[]> {
  const node = await loadNode(req.root, undefined);
  const { contexts } = buildContexts(node.view, req.target.registry, node.runtimes, node.systemSources);
  return poolCertificates(contexts.map((c) => c.pool));
}
