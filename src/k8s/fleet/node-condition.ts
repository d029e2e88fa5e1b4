/**
 * What the agent publishes on its Node, and what `regtrust k8s status`
 * reads back. Two places, because a NodeCondition has one reason/message
 * but a node checks several registries:
 * - status.conditions[type=RegistryTrustReady]: the node's overall verdict
 *   (True / False / Unknown), as node-problem-detector publishes its
 *   conditions (patch of nodes/NAME/status);
 * - metadata.annotations["regtrust.io/status"]: JSON with one verdict per
 *   registry (patch of nodes/NAME: annotations are not in the status
 *   subresource — hence the agent's `nodes patch` grant).
 */
export const CONDITION_TYPE = "RegistryTrustReady";
export const STATUS_ANNOTATION = "regtrust.io/status";
/** Node Events live in "default" (with uid = node name), as kubelet records them; the agent's Role is there. */
export const EVENTS_NAMESPACE = "default";

export interface RegistryVerdict {
  registry: string;
  trusted: boolean;
  /** The first error finding code (src/findings/codes.ts), when not trusted. */
  code?: string;
  insecureOverride?: boolean;
}

export interface NodeTrustStatus {
  schemaVersion: 1;
  mode: "enforce" | "report";
  checkedAt: string;
  registries: RegistryVerdict[];
}

/**
 * Kubernetes requires a condition reason in CamelCase
 * (`^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`). Finding codes are
 * kebab-case; each word is capitalised: "unknown-authority" →
 * "UnknownAuthority", "restart-required" → "RestartRequired".
 */
export function reasonOf(code: string): string {
  return code
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join("");
}

export interface ConditionValue {
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
}

/** The node's condition from its per-registry verdicts (no verdicts yet: Unknown). */
export function conditionOf(status: NodeTrustStatus | null): ConditionValue {
  if (!status || status.registries.length === 0) {
    return { status: "Unknown", reason: "NotChecked", message: "regtrust has not checked any registry yet" };
  }
  const bad = status.registries.filter((r) => !r.trusted);
  if (bad.length === 0) {
    return {
      status: "True",
      reason: "AllRegistriesTrusted",
      message: `${status.registries.length} registries trusted`,
    };
  }
  const first = bad[0] as RegistryVerdict;
  return {
    status: "False",
    reason: reasonOf(first.code ?? "untrusted"),
    message: bad.map((r) => `${r.registry}: ${r.code ?? "untrusted"}`).join("; "),
  };
}

/** Parses the annotation; anything malformed reads as "no status" rather than failing the fleet view. */
export function parseStatusAnnotation(text: string | undefined): NodeTrustStatus | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as NodeTrustStatus;
    return value?.schemaVersion === 1 && Array.isArray(value.registries) ? value : null;
  } catch {
    return null;
  }
}
