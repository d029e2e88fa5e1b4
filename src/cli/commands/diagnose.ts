import { systemClock } from "../../core/deps.ts";
import { EXIT } from "../../core/errors.ts";
import { diagnose } from "../../diagnose/diagnose.ts";
import { loadNode } from "../../diagnose/load-node.ts";
import { parseTarget } from "../../target/parse-target.ts";
import { parseExpiringDays, parseRuntimeList, parseTimeout } from "../common-options.ts";
import { type Io, wantsColor } from "../io.ts";
import { renderDiagnoseText } from "../render/diagnose-text.ts";
import { makeStyle } from "../style.ts";

export interface DiagnoseFlags {
  root: string;
  runtime?: string;
  json?: boolean;
  timeout: string;
  expiringDays: string;
}

export async function runDiagnose(targetText: string, flags: DiagnoseFlags, io: Io): Promise<number> {
  const target = parseTarget(targetText);
  const timeoutMs = parseTimeout(flags.timeout);
  const expiringDays = parseExpiringDays(flags.expiringDays);
  const node = await loadNode(flags.root, parseRuntimeList(flags.runtime));
  const result = await diagnose(target, { node, timeoutMs, clock: systemClock, expiringDays });
  io.stdout.write(
    flags.json
      ? `${JSON.stringify(result, null, 2)}\n`
      : renderDiagnoseText(result, makeStyle(wantsColor(io))),
  );
  return result.ok ? EXIT.ok : EXIT.findings;
}
