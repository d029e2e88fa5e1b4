import { parseTarget } from "../../target/parse-target.ts";
import type { ActionDeps } from "../../trust/apply-change.ts";
import { untrustAction } from "../../trust/run-untrust.ts";
import type { Io } from "../io.ts";
import { defaultDeps, printResult } from "./trust.ts";

export interface UntrustFlags {
  root: string;
  ca?: string;
  dryRun?: boolean;
  restart?: boolean;
  force?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export async function runUntrust(
  targetText: string,
  flags: UntrustFlags,
  io: Io,
  deps: Partial<ActionDeps> = {},
): Promise<number> {
  const result = await untrustAction(
    {
      target: parseTarget(targetText),
      root: flags.root,
      dryRun: flags.dryRun ?? false,
      restart: flags.restart ?? false,
      force: flags.force ?? false,
      caFile: flags.ca,
    },
    { ...defaultDeps(io), ...deps },
  );
  return printResult(result, flags.json ?? false, io, flags.verbose ?? false);
}
