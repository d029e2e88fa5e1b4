import { type Finding, finding } from "../findings/finding.ts";
import { readInsecureExpiry } from "../node/insecure-marker.ts";
import { type AuditContext, at, where } from "./context.ts";

export interface InsecureSite {
  runtime: string;
  registry: string;
  file: string;
  line: number | null;
  /** The setting as an operator would grep for it, e.g. `skip_verify = true`. */
  setting: string;
  /** What the setting really does, one clause. */
  effect: string;
  /** The file text, to read regtrust's expiry marker next to the setting; null for JSON. */
  text: string | null;
  fix: string[];
}

/**
 * An insecure setting is always reported: "only for emergencies" means an
 * audit must find it later. When `regtrust insecure` set it, the expiry comes
 * from its marker comment or its journal record; a passed expiry is an error.
 */
export function insecureFinding(ctx: AuditContext, site: InsecureSite): Finding {
  const expiresAt = readInsecureExpiry(site.text ?? "", site.line) ?? journalExpiry(ctx, site.registry);
  const expired = expiresAt !== null && Date.parse(expiresAt) <= ctx.now.getTime();
  const expiry =
    expiresAt === null
      ? "No expiry is recorded, so it stays until someone removes it."
      : expired
        ? `regtrust set it to expire at ${expiresAt}, which has passed: remove it now.`
        : `regtrust set it to expire at ${expiresAt}.`;
  return finding(
    "insecure-skip-verify",
    expired ? "error" : "warning",
    `${site.runtime} ${site.effect} for ${registryLabel(site.registry)} (${site.setting} at ${where(site.file, site.line)}). ${expiry}`,
    {
      ...at(site.file, site.line),
      contexts: [site.runtime],
      evidence: [site.setting, ...(expiresAt ? [`expires: ${expiresAt}`] : [])],
      fix: site.fix,
    },
  );
}

/** containerd's `_default` host directory applies to every registry without its own directory. */
export function registryLabel(registry: string): string {
  return registry === "_default" ? "every registry without its own host directory (_default)" : registry;
}

function journalExpiry(ctx: AuditContext, registry: string): string | null {
  const records = ctx.journal?.records ?? [];
  const insecure = records.filter((r) => r.action === "insecure" && r.target === registry);
  return insecure.at(-1)?.meta.expiresAt ?? null;
}

/** A plain-http endpoint: no TLS at all, so nothing about the registry is verified. */
export function plainHttpFinding(
  runtime: string,
  registry: string,
  endpoint: string,
  file: string,
  line: number | null,
): Finding {
  return finding(
    "plain-http",
    "warning",
    `${runtime} talks to ${endpoint} for ${registryLabel(registry)} over plain HTTP (${where(file, line)}): images and credentials cross the network unencrypted and unauthenticated.`,
    {
      ...at(file, line),
      contexts: [runtime],
      evidence: [endpoint],
      fix: [
        `Serve the registry over HTTPS and change the endpoint to ${endpoint.replace(/^http:/, "https:")}, then: regtrust trust ${registry} --ca <ca.pem>`,
      ],
    },
  );
}
