import { Option } from "commander";
import { UsageError } from "../core/errors.ts";
import { RUNTIME_NAMES, type RuntimeName } from "../node/types.ts";

/** Flags every node-facing command shares (docs/principles.md "Common flags"). */
export interface CommonOptions {
  root: string;
  runtime?: string;
  json?: boolean;
  timeout: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export function parseTimeout(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--timeout must be milliseconds, got "${text}"`);
  const ms = Number(text);
  if (ms < 1 || ms > 600_000) throw new UsageError(`--timeout must be between 1 and 600000 ms, got ${ms}`);
  return ms;
}

/** A whole-number flag within bounds (counts, sizes, seconds): exit 2 naming the flag otherwise. */
export function parseWholeNumber(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return Number(text);
}

/** `--expiring-days N`, shared by every command that warns about expiry. */
export function parseExpiringDays(text: string): number {
  if (!/^\d+$/.test(text))
    throw new UsageError(`--expiring-days must be a whole number of days, got "${text}"`);
  return Number(text);
}

/** `--runtime containerd,k3s` → validated names; "system" is always evaluated and may be listed alone. */
export function parseRuntimeList(text: string | undefined): RuntimeName[] | undefined {
  if (text === undefined) return undefined;
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const known = new Set<string>([...RUNTIME_NAMES, "system"]);
  for (const name of names) {
    if (!known.has(name)) {
      throw new UsageError(
        `unknown runtime "${name}" in --runtime (known: system, ${RUNTIME_NAMES.join(", ")})`,
      );
    }
  }
  return names.filter((n): n is RuntimeName => n !== "system");
}

/** Records a command's exit code for the top-level handler. */
export type SetExit = (code: number) => void;

export function rootOption(): Option {
  return new Option("--root <dir>", "node filesystem root (every path is resolved under it)").default("/");
}

export function runtimeOption(): Option {
  return new Option(
    "--runtime <list>",
    "runtimes to evaluate: containerd,docker,crio,k3s,rke2,system (default: detected)",
  );
}

export function timeoutOption(): Option {
  return new Option("--timeout <ms>", "bound for every network step").default(String(DEFAULT_TIMEOUT_MS));
}
