import { systemClock } from "../../core/deps.ts";
import { readDistro } from "../../node/distro.ts";
import { HostFs } from "../../node/host-fs.ts";
import { refuseReadOnlyNode } from "../../node/immutable-os.ts";
import { probe } from "../../probe/probe.ts";
import { parseTarget } from "../../target/parse-target.ts";
import type { ActionDeps, ActionResult } from "../../trust/apply-change.ts";
import { processExec } from "../../trust/process-exec.ts";
import type { TrustRefusalReport } from "../../trust/report.ts";
import { trustAction } from "../../trust/run-trust.ts";
import { parseTimeout } from "../common-options.ts";
import { type Io, wantsColor } from "../io.ts";
import { renderTrustText } from "../render/trust-text.ts";
import { makeStyle } from "../style.ts";

export interface TrustFlags {
  ca?: string;
  fromServer?: boolean;
  expectFingerprint?: string;
  removeInsecure?: boolean;
  root: string;
  runtime?: string;
  dryRun?: boolean;
  restart?: boolean;
  replace?: boolean;
  json?: boolean;
  verbose?: boolean;
  timeout: string;
}

/** The real side effects; tests pass their own (a fixed clock) through the last argument. */
export function defaultDeps(io: Io): ActionDeps {
  return { clock: systemClock, exec: processExec, probe, warn: (line) => io.stderr.write(`${line}\n`) };
}

export async function runTrust(
  targetText: string,
  flags: TrustFlags,
  io: Io,
  deps: Partial<ActionDeps> = {},
): Promise<number> {
  const target = parseTarget(targetText);
  // Talos and Bottlerocket: nothing under /etc is ours to change; the fix goes into their configuration.
  refuseReadOnlyNode(readDistro(new HostFs(flags.root)), target.registry);
  const result = await trustAction(
    {
      target,
      root: flags.root,
      runtimeFlag: flags.runtime,
      caFile: flags.ca,
      fromServer: flags.fromServer ?? false,
      expectFingerprint: flags.expectFingerprint,
      removeInsecure: flags.removeInsecure ?? false,
      dryRun: flags.dryRun ?? false,
      restart: flags.restart ?? false,
      timeoutMs: parseTimeout(flags.timeout),
      replace: flags.replace ?? false,
    },
    { ...defaultDeps(io), ...deps },
  );
  return printResult(result, flags.json ?? false, io, flags.verbose ?? false);
}

/** Shared by trust, untrust and insecure: the report as text or JSON; refusals on stderr. */
export function printResult(result: ActionResult, json: boolean, io: Io, verbose = false): number {
  if (result.report === null) {
    io.stderr.write(`regtrust: ${result.message}\n`);
    if (json) {
      const refused: TrustRefusalReport = {
        schemaVersion: 1,
        target: result.target,
        dryRun: result.dryRun,
        contexts: [],
        commands: [],
        diagnosis: null,
        error: result.message,
      };
      io.stdout.write(`${JSON.stringify(refused, null, 2)}\n`);
    }
    return result.exitCode;
  }
  io.stdout.write(
    json
      ? `${JSON.stringify(result.report, null, 2)}\n`
      : renderTrustText(result.report, makeStyle(wantsColor(io)), { verbose }),
  );
  return result.exitCode;
}
