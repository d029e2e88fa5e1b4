import { parseTarget } from "../../target/parse-target.ts";
import type { ActionDeps } from "../../trust/apply-change.ts";
import { insecureAction } from "../../trust/run-insecure.ts";
import { DEFAULT_TIMEOUT_MS } from "../common-options.ts";
import type { Io } from "../io.ts";
import { defaultDeps, printResult } from "./trust.ts";

export interface InsecureFlags {
  ttl?: string;
  root: string;
  runtime?: string;
  dryRun?: boolean;
  restart?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export async function runInsecure(
  targetText: string,
  flags: InsecureFlags,
  io: Io,
  deps: Partial<ActionDeps> = {},
): Promise<number> {
  const result = await insecureAction(
    {
      target: parseTarget(targetText),
      root: flags.root,
      runtimeFlag: flags.runtime,
      ttl: flags.ttl,
      dryRun: flags.dryRun ?? false,
      restart: flags.restart ?? false,
      timeoutMs: DEFAULT_TIMEOUT_MS,
    },
    { ...defaultDeps(io), ...deps },
  );
  return printResult(result, flags.json ?? false, io, flags.verbose ?? false);
}
