import { assertRegistryName } from "../node/registry-name.ts";
import type { Target } from "../target/target.ts";
import { type ActionDeps, type ActionResult, applyChange, assertRootDir } from "./apply-change.ts";
import { removeExpiredInsecureLoudly } from "./expire-insecure.ts";
import { parseTtl } from "./insecure-ttl.ts";

export interface InsecureRequest {
  target: Target;
  root: string;
  runtimeFlag: string | undefined;
  ttl: string | undefined;
  dryRun: boolean;
  restart: boolean;
  timeoutMs: number;
}

/**
 * `regtrust insecure`: skip verification for one registry, per runtime, with
 * an expiry recorded next to each setting (insecure-marker.ts) and in the
 * journal (`meta.expiresAt`), so diagnose/audit report the time left and the
 * next regtrust run after expiry removes it. Always announced loudly.
 */
export async function insecureAction(req: InsecureRequest, deps: ActionDeps): Promise<ActionResult> {
  const ttlMs = parseTtl(req.ttl);
  assertRegistryName(req.target.registry);
  assertRootDir(req.root);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + ttlMs);
  const expiredRemoved = await removeExpiredInsecureLoudly(
    { root: req.root, now, exec: deps.exec, restart: req.restart, dryRun: req.dryRun },
    deps.warn,
  );
  for (const line of loudWarning(req.target.registry, expiresAt, req.ttl ?? "")) deps.warn(line);
  return applyChange(
    {
      target: req.target,
      root: req.root,
      runtimeFlag: req.runtimeFlag,
      change: { kind: "insecure", expiresAt },
      dryRun: req.dryRun,
      restart: req.restart,
      timeoutMs: req.timeoutMs,
      header: {
        ca: null,
        expiresAt: expiresAt.toISOString(),
        expiredRemoved,
        notes: [
          `the override expires at ${expiresAt.toISOString()}; the next regtrust run after that removes it (or now, keeping any CA regtrust installed: regtrust trust ${req.target.registry} --remove-insecure, with --ca <root.pem> if the chain does not verify without it)`,
        ],
      },
    },
    deps,
  );
}

function loudWarning(registry: string, expiresAt: Date, ttl: string): string[] {
  const bar = "!".repeat(78);
  return [
    bar,
    `!! WARNING: TLS VERIFICATION FOR ${registry} IS TURNED OFF`,
    `!! until ${expiresAt.toISOString()} (--ttl ${ttl}).`,
    "!! Anyone on the network path can serve these nodes any image under that name.",
    `!! Fix the trust properly: regtrust trust ${registry} --ca <root.pem> --remove-insecure`,
    bar,
  ];
}
