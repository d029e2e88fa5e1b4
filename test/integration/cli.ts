/** Runs the whole CLI in-process, as a user would, and captures its output. */

import { memoryIo } from "../../src/cli/io.ts";
import { main } from "../../src/cli/main.ts";
import { assertCliJson } from "../support/json-schema.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const io = memoryIo({ ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}), env: opts.env ?? {} });
  const code = await main(argv, io);
  const run = { code, stdout: io.out(), stderr: io.err() };
  // Every --json output a test captures must match docs/schema (issue #17: the contract lives in the repo).
  if (code !== 2 && code !== 3) assertCliJson(argv, run.stdout);
  return run;
}

/** `diagnose --json` parsed, with the run kept for assertion messages. */
export async function diagnoseJson(
  target: string,
  root: string,
  extra: string[] = [],
): Promise<{ run: CliRun; result: DiagnoseJson }> {
  const run = await runCli(["diagnose", target, "--root", root, "--json", "--timeout", "4000", ...extra]);
  let result: DiagnoseJson;
  try {
    result = JSON.parse(run.stdout) as DiagnoseJson;
  } catch {
    throw new Error(`diagnose --json printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return { run, result };
}

export interface DiagnoseJson {
  schemaVersion: number;
  target: { input: string; host: string; port: number; serverName: string | null };
  ok: boolean;
  presented: Array<{
    subject: string;
    issuer: string;
    sha256: string;
    isCA: boolean;
    selfSigned: boolean;
    sans: string[];
  }>;
  contexts: Array<{ name: string; ok: boolean; anchors: string[]; insecure: boolean; error: string | null }>;
  registry: { status: number | null; apiVersion: string | null; authRealm: string | null } | null;
  findings: Array<{
    code: string;
    severity: string;
    message: string;
    fix: string[];
    contexts?: string[];
    file?: string;
    line?: number;
  }>;
}

export function codes(result: DiagnoseJson, severity?: string): string[] {
  return result.findings.filter((f) => !severity || f.severity === severity).map((f) => f.code);
}

export function context(result: DiagnoseJson, name: string): DiagnoseJson["contexts"][number] {
  const found = result.contexts.find((c) => c.name === name);
  if (!found) throw new Error(`no context ${name} in ${JSON.stringify(result.contexts)}`);
  return found;
}

/**
 * A context's error without crypto/tls's "tls: failed to verify certificate: "
 * (Go ≥ 1.20): what skopeo from Debian 12, built with Go 1.19, prints for the
 * same chain. regtrust words the context's error for the runtime's Go
 * (assumed go1.24 when it cannot read it); the x509 part is the same.
 */
export function x509Text(error: string | null | undefined): string {
  return (error ?? "?").replace(/^tls: failed to verify certificate: /, "");
}
