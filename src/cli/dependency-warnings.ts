/**
 * Node 24 prints `[DEP0169] DeprecationWarning: url.parse() behavior is not
 * standardized …` the first time anything calls `url.parse()`. regtrust's
 * own code never does (it uses the WHATWG URL API); the caller is node-fetch
 * 2 (lib/index.js parseURL), which @kubernetes/client-node 1.x — the last
 * line that runs on Node 20 — sends every API request through, with the
 * server URL from the kubeconfig. So every `k8s` command and every agent
 * cycle showed an operator a warning about a library's internals that
 * they cannot act on. Only that one code is dropped; every other warning,
 * deprecations included, still prints. (DEP0040, `punycode`, is fixed in
 * the bundle instead: scripts/lazy-builtins.mjs maps it onto the userland
 * package.) Remove this when @kubernetes/client-node 2.x (fetch-based,
 * Node ≥ 22.19) can be the dependency.
 */

type EmitWarning = typeof process.emitWarning;

export const DROPPED_WARNINGS: readonly string[] = ["DEP0169"];

const installed = new WeakSet<object>();

/** The deprecation code of a process.emitWarning call, in either of its signatures. */
export function warningCode(args: readonly unknown[]): string | undefined {
  const [warning, second, third] = args;
  if (warning instanceof Error && "code" in warning) return String((warning as { code: unknown }).code);
  if (second !== null && typeof second === "object") {
    const code = (second as { code?: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return typeof third === "string" ? third : undefined;
}

/** Wraps proc.emitWarning so that the DROPPED_WARNINGS codes are not emitted; idempotent. */
export function dropDependencyWarnings(proc: { emitWarning: EmitWarning } = process): void {
  if (installed.has(proc)) return;
  installed.add(proc);
  const emit = proc.emitWarning;
  proc.emitWarning = function emitWarning(this: unknown, ...args: unknown[]) {
    const code = warningCode(args);
    if (code !== undefined && DROPPED_WARNINGS.includes(code)) return;
    return (emit as (...a: unknown[]) => void).apply(this, args);
  } as EmitWarning;
}
