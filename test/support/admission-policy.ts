import { type CelInput, isCelError, run } from "@bufbuild/cel";

/**
 * Evaluates a ValidatingAdmissionPolicy + binding against an AdmissionRequest
 * the way kube-apiserver does (staging/src/k8s.io/apiserver/pkg/admission/
 * plugin/policy/validating: dispatcher.go and validator.go, v1.32), with the
 * CEL evaluated by @bufbuild/cel, an implementation that passes the cel-spec
 * conformance suite — not by hand-written expectations:
 * - matchConstraints.resourceRules select the request by group/version/
 *   resource[/subresource] and operation;
 * - every matchCondition must be true, or the policy does not apply;
 * - variables are evaluated in order, each seeing the ones before it;
 * - a validation that is false denies with its message (messageExpression
 *   first); one that errors denies too, because failurePolicy is Fail;
 * - the binding applies the result when its validationActions hold "Deny".
 * Objects are bound as the API server binds them: the unstructured form
 * (JSON maps and lists, integers as int64), filter.go objectToResolveVal.
 */
export interface AdmissionRequest {
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  name: string;
  userInfo: { username: string; groups?: string[]; extra?: Record<string, string[]> };
  object: unknown;
  oldObject: unknown;
}

export interface AdmissionOutcome {
  /** The policy selected this request (resource rule and every match condition). */
  applies: boolean;
  allowed: boolean;
  /** Why it was denied: each failed validation's message, or the CEL error. */
  messages: string[];
}

type Json = Record<string, unknown>;

/** JSON → the values CEL sees: objects as maps, integers as int64 (bigint), doubles as double. */
export function toCel(value: unknown): CelInput {
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === "object") {
    return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  }
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  return value as CelInput;
}

function selects(policy: Json, req: AdmissionRequest): boolean {
  const rules = ((policy.spec as Json).matchConstraints as Json).resourceRules as Json[];
  const resource = req.subResource ? `${req.resource.resource}/${req.subResource}` : req.resource.resource;
  const has = (list: unknown, value: string) => (list as string[]).some((x) => x === "*" || x === value);
  return rules.some(
    (r) =>
      has(r.apiGroups, req.resource.group) &&
      has(r.apiVersions, req.resource.version) &&
      has(r.operations, req.operation) &&
      has(r.resources, resource),
  );
}

export function admit(policy: Json, binding: Json, req: AdmissionRequest): AdmissionOutcome {
  const spec = policy.spec as Json;
  if (spec.failurePolicy !== "Fail") throw new Error("these tests expect failurePolicy Fail");
  const bindingSpec = binding.spec as Json;
  const enforced =
    bindingSpec.policyName === (policy.metadata as Json).name &&
    (bindingSpec.validationActions as string[]).includes("Deny");
  const bindings: Record<string, CelInput> = {
    request: toCel(req),
    object: toCel(req.object),
    oldObject: toCel(req.oldObject),
  };
  if (!selects(policy, req)) return { applies: false, allowed: true, messages: [] };
  for (const condition of (spec.matchConditions as Json[] | undefined) ?? []) {
    const result = run(String(condition.expression), bindings);
    if (isCelError(result)) return deny(enforced, [`match condition ${condition.name}: ${result.message}`]);
    if (result !== true) return { applies: false, allowed: true, messages: [] };
  }
  const variables = new Map<string, CelInput>();
  const failed = new Map<string, string>();
  for (const variable of (spec.variables as Json[] | undefined) ?? []) {
    const result = run(String(variable.expression), { ...bindings, variables });
    if (isCelError(result)) failed.set(String(variable.name), result.message);
    else variables.set(String(variable.name), result as CelInput);
  }
  const messages: string[] = [];
  for (const validation of spec.validations as Json[]) {
    const expression = String(validation.expression);
    const broken = [...failed].find(([name]) => expression.includes(`variables.${name}`));
    const result = broken
      ? new Error(`variable ${broken[0]}: ${broken[1]}`)
      : run(expression, { ...bindings, variables });
    if (isCelError(result) || result instanceof Error) {
      messages.push(`expression '${expression}' resulted in error: ${result.message}`);
    } else if (result !== true) {
      messages.push(messageOf(validation, { ...bindings, variables }));
    }
  }
  return messages.length ? deny(enforced, messages) : { applies: true, allowed: true, messages: [] };
}

/** validator.go: messageExpression (trimmed, one line), else message, else "failed expression: …". */
function messageOf(validation: Json, bindings: Record<string, CelInput>): string {
  if (typeof validation.messageExpression === "string") {
    const text = run(validation.messageExpression, bindings);
    if (typeof text === "string" && text.trim() !== "" && !text.includes("\n")) return text.trim();
  }
  if (typeof validation.message === "string" && validation.message.trim() !== "")
    return validation.message.trim();
  return `failed expression: ${String(validation.expression).trim()}`;
}

function deny(enforced: boolean, messages: string[]): AdmissionOutcome {
  return { applies: true, allowed: !enforced, messages };
}
