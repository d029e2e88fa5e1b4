import { createHash } from "node:crypto";
import type { Certificate } from "../pki/certificate.ts";
import { toPem } from "../pki/read-bundle.ts";
import type { Plan, PlanAction } from "../plan/plan.ts";
import type { ContextName } from "./types.ts";

/**
 * What the per-runtime planners share: the CA to install (already checked by
 * `regtrust trust`'s pre-flight), the result of planning one trust context,
 * and the file names regtrust gives what it installs.
 */

/** The CA certificates `regtrust trust` installs, in the order the file gave them. */
export interface CaBundle {
  certs: Certificate[];
  /** toPem(certs): what every CA file regtrust writes contains. */
  pem: string;
  /**
   * First 12 hex digits of the SHA-256 of the certificates' DER, one after the
   * other: for a single CA the start of its usual fingerprint. Makes file
   * names unique per CA.
   */
  id: string;
}

export function caBundle(certs: readonly Certificate[]): CaBundle {
  const pem = toPem(certs);
  const der = Buffer.concat(certs.map((c) => c.der));
  return { certs: [...certs], pem, id: sha256Hex(der).slice(0, 12) };
}

/** What one trust context needs for a target: a plan, or a refusal saying why and what to do by hand. */
export interface ContextPlan {
  context: ContextName;
  /** Changes and commands for this context only (empty when refused). */
  plan: Plan;
  /** The service that must restart (or reload) before the change takes effect; null = none. */
  restartUnit: string | null;
  /** The file whose change needs that restart (config.toml, not the hosts.toml beside it). */
  restartFile?: string;
  /** Set when regtrust will not change this context automatically; nothing is planned then. */
  refusal: Refusal | null;
}

export interface Refusal {
  reason: string;
  /** Exact lines an operator can add by hand, with where. */
  manual: string[];
}

/**
 * `trust --replace` (and `untrust --ca`, and the agent in enforce mode): what
 * regtrust installed earlier for the registry, per its journal
 * (trust/installed-anchors.ts), so each planner can make the installed set
 * exactly the new bundle instead of adding to it.
 */
export interface ReplaceScope {
  /** CA files regtrust owns for the registry; those the new plan does not rewrite are deleted. */
  ownedFiles: readonly string[];
  /** Every anchor (Certificate.sha256) regtrust ever installed for the registry: stripped from shared files. */
  ever: ReadonlySet<string>;
}

/** The modes a planner works in: install a CA (added, or replacing what regtrust installed), or turn verification off until `expiresAt`. */
export type TrustChange =
  | { kind: "trust"; ca: CaBundle; replace?: ReplaceScope }
  | { kind: "insecure"; expiresAt: Date };

/**
 * What one run changes on the node: a TrustChange every planner makes, or only
 * the removal of skip-verify overrides (`trust --remove-insecure` without --ca),
 * journaled as a trust action.
 */
export type NodeChange = TrustChange | { kind: "remove-insecure" };

export function nodeAction(change: NodeChange): PlanAction {
  return change.kind === "remove-insecure" ? "trust" : change.kind;
}

export function actionOf(change: TrustChange): PlanAction {
  return change.kind;
}

/** `repo.example.com:5000` → `repo.example.com_5000`: safe in any file name (Debian's tool included). */
export function registryFileStem(registry: string): string {
  return registry.replace(/[^A-Za-z0-9.-]/g, "_").replace(/^_+|_+$/g, "");
}

/** The first line of every file regtrust owns outright. */
export function managedHeader(what: string, registry: string): string {
  return `# managed by regtrust — ${what}; \`regtrust untrust ${registry}\` removes it, edits here may be overwritten`;
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}
