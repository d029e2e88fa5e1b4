import { DEFAULT_AIA_LIMITS, httpAiaFetcher } from "../chain/aia-fetch.ts";
import { completeChain } from "../chain/complete-chain.ts";
import { UsageError } from "../core/errors.ts";
import { caBundle } from "../node/ca-install.ts";
import { assertRegistryName } from "../node/registry-name.ts";
import type { Certificate } from "../pki/certificate.ts";
import { parseCertificate } from "../pki/parse-certificate.ts";
import { Budget } from "../probe/budget.ts";
import { systemResolver } from "../probe/resolver.ts";
import type { ProbeResult } from "../probe/types.ts";
import type { Target } from "../target/target.ts";
import { checkAnchors } from "./anchor-check.ts";
import { type ActionDeps, type ActionResult, applyChange, assertRootDir } from "./apply-change.ts";
import { checkCaCertificates, readCaFile } from "./ca-file.ts";
import { removeExpiredInsecureLoudly, removeOwnInsecure } from "./expire-insecure.ts";
import { pinnedRoot, presentedRoot } from "./from-server.ts";
import { leafOnlyChain } from "./leaf-only.ts";
import { removeOverridesOnly } from "./remove-overrides.ts";
import { readInstalledAnchors, replaceScope, rotationSummary } from "./rotation.ts";

export interface TrustRequest {
  target: Target;
  root: string;
  runtimeFlag: string | undefined;
  caFile: string | undefined;
  fromServer: boolean;
  expectFingerprint: string | undefined;
  dryRun: boolean;
  restart: boolean;
  timeoutMs: number;
  /** Remove the registry's skip-verify overrides too (keeping the CA); --ca becomes optional. */
  removeInsecure?: boolean;
  /** --replace: the anchors regtrust installed for the registry become exactly these (rotation). */
  replace?: boolean;
}

/**
 * `regtrust trust`: pre-flight (the CA file, then — when the registry answers —
 * that the CA anchors the chain it sends, under Go's rules), then plan, apply
 * and verify every targeted context. Nothing is written before the pre-flight
 * has passed.
 */
export async function trustAction(req: TrustRequest, deps: ActionDeps): Promise<ActionResult> {
  assertRegistryName(req.target.registry);
  checkFlags(req);
  assertRootDir(req.root);
  const now = deps.clock.now();
  const fileCerts = req.caFile === undefined ? null : readCaFile(req.caFile);
  if (fileCerts) checkCaCertificates(fileCerts, `--ca ${req.caFile}`, now);
  const expiryOptions = { root: req.root, now, exec: deps.exec, restart: req.restart, dryRun: req.dryRun };
  const expiredRemoved = await removeExpiredInsecureLoudly(expiryOptions, deps.warn);
  if (req.removeInsecure) {
    const own = await removeOwnInsecure(req.target.registry, expiryOptions);
    for (const line of own) deps.warn(`regtrust: ${line}`);
    expiredRemoved.push(...own);
    if (fileCerts === null && !req.fromServer) return removeOverridesOnly(req, deps, expiredRemoved);
  }
  const checked = await preflight(req, deps, fileCerts, now);
  if ("exitCode" in checked) return checked;
  const { certs, source } = checked;
  const certificates = certs.map((c) => ({
    subject: c.subject,
    sha256: c.sha256,
    notAfter: c.notAfter.toISOString(),
  }));
  const installed = req.replace ? await readInstalledAnchors(req.root, req.target.registry) : null;
  const rotation = installed ? { rotation: rotationSummary("replace", installed.current, certs) } : {};
  return applyChange(
    {
      target: req.target,
      root: req.root,
      runtimeFlag: req.runtimeFlag,
      change: {
        kind: "trust",
        ca: caBundle(certs),
        ...(installed ? { replace: replaceScope(installed) } : {}),
      },
      removeInsecure: req.removeInsecure ?? false,
      dryRun: req.dryRun,
      restart: req.restart,
      timeoutMs: req.timeoutMs,
      header: { ca: { source, certificates }, expiresAt: null, expiredRemoved, notes: [], ...rotation },
    },
    deps,
  );
}

/**
 * The network half of the pre-flight: the CA from the file or (pinned) from
 * the server, and — when the registry answers — whether it anchors the chain
 * sent. An unreachable registry only earns a warning with --ca.
 */
async function preflight(
  req: TrustRequest,
  deps: ActionDeps,
  fileCerts: Certificate[] | null,
  now: Date,
): Promise<{ certs: Certificate[]; source: string } | ActionResult> {
  const registry = req.target.registry;
  const refuse = (exitCode: 1 | 2, message: string): ActionResult => ({
    exitCode,
    report: null,
    message,
    target: registry,
    dryRun: req.dryRun,
  });
  const probed = await deps.probe(req.target, { timeoutMs: req.timeoutMs });
  const presented = presentedChain(probed);
  const source = req.caFile ?? `the root ${registry} presents (fingerprint pinned)`;
  if (presented.length === 0) {
    if (!fileCerts)
      return refuse(1, `--from-server: ${registry} is unreachable (${unreachableReason(probed)})`);
    deps.warn(
      `regtrust: warning: ${registry} is unreachable (${unreachableReason(probed)}); ` +
        "installing the CA without checking that it anchors the registry's chain",
    );
    return { certs: fileCerts, source };
  }
  let certs = fileCerts;
  if (!certs) {
    const pin = pinnedRoot(await withRootForPin(presented, req.timeoutMs), req.expectFingerprint, registry);
    if (!pin.ok) return refuse(pin.exit, pin.message);
    certs = [pin.root];
  }
  const anchors = checkAnchors(certs, presented, now);
  if (!anchors.ok) {
    const leafOnly = req.caFile ? await leafOnlyChain(req, certs, presented, now, deps.warn) : null;
    if (leafOnly) return { certs: leafOnly, source };
    return refuse(1, anchorMessage(source, registry, anchors.error, anchors.needed));
  }
  return { certs, source };
}

function checkFlags(req: TrustRequest): void {
  if (req.caFile !== undefined && req.fromServer)
    throw new UsageError("give either --ca FILE or --from-server, not both");
  if (req.caFile === undefined && !req.fromServer && !req.removeInsecure) {
    throw new UsageError("trust needs --ca FILE, or --from-server --expect-fingerprint SHA256");
  }
  if (req.expectFingerprint !== undefined && !req.fromServer) {
    throw new UsageError("--expect-fingerprint goes with --from-server");
  }
}

/**
 * Most servers do not send their root. For --from-server, fetch it the way
 * `regtrust chain --complete` does (AIA caIssuers, bounded, every signature
 * checked); the fingerprint pin still decides whether it is trusted.
 */
async function withRootForPin(presented: Certificate[], timeoutMs: number): Promise<Certificate[]> {
  if (presented.length === 0 || presentedRoot(presented)) return presented;
  const completion = await completeChain(presented, {
    fetcher: httpAiaFetcher(systemResolver),
    budget: new Budget(timeoutMs),
    limits: DEFAULT_AIA_LIMITS,
  });
  return completion.reachedRoot ? completion.path.map((link) => link.cert) : presented;
}

function presentedChain(probed: ProbeResult): Certificate[] {
  try {
    return (probed.tls?.presented ?? []).map((der) => parseCertificate(der));
  } catch {
    return [];
  }
}

export function unreachableReason(probed: ProbeResult): string {
  const error = probed.dns.error ?? probed.tcp?.error ?? probed.tls?.error ?? null;
  if (error) return error.message;
  return probed.tls?.presented.length === 0 ? "no certificate received" : "no TLS connection";
}

function anchorMessage(source: string, registry: string, error: string, needed: string | null): string {
  const lines = [
    `${source} does not anchor the chain ${registry} sends (Go: ${error}); nothing was changed.`,
  ];
  if (needed) {
    lines.push(
      `The chain it sends ends at a certificate issued by "${needed}": trust that CA certificate instead`,
      `(regtrust chain ${registry} shows the chain; a server that omits its intermediate also needs fixing).`,
    );
  }
  return lines.join("\n");
}
