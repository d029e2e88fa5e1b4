import { systemClock } from "../../core/deps.ts";
import { EXIT, UsageError } from "../../core/errors.ts";
import { oneLine, ownControl } from "../../core/terminal-text.ts";
import { loadNode } from "../../diagnose/load-node.ts";
import { readScanInput } from "../../scan/read-input.ts";
import { type ScanOutcome, scan } from "../../scan/scan.ts";
import { parseScanInput } from "../../scan/scan-input.ts";
import { scanTargets } from "../../scan/scan-targets.ts";
import { parseExpiringDays, parseRuntimeList, parseTimeout, parseWholeNumber } from "../common-options.ts";
import { type Io, wantsColor } from "../io.ts";
import { renderScanSummary } from "../render/scan-summary.ts";
import { makeStyle } from "../style.ts";

export interface ScanFlags {
  root: string;
  runtime?: string;
  json?: boolean;
  timeout: string;
  concurrency: string;
  expiringDays?: string;
}

/** Injected in tests to prove the node is read once per scan. */
export interface ScanDeps {
  loadNode: typeof loadNode;
}

export async function runScan(
  file: string | undefined,
  flags: ScanFlags,
  io: Io,
  deps: ScanDeps = { loadNode },
): Promise<number> {
  const timeoutMs = parseTimeout(flags.timeout);
  const concurrency = parseWholeNumber(flags.concurrency, "--concurrency", 1, 1024);
  const runtimes = parseRuntimeList(flags.runtime);
  const expiringDays = parseExpiringDays(flags.expiringDays ?? "30");
  const { text, name } = await readScanInput(file ?? "-", () => io.readStdin());
  const targets = scanTargets(parseScanInput(text, name).entries, name);
  if (targets.length === 0)
    throw new UsageError(`no targets in ${name} (one per line, or a Kubernetes manifest)`);
  const node = await deps.loadNode(flags.root, runtimes);
  const tally = await scan(targets, {
    node,
    keepRows: flags.json !== true,
    concurrency,
    timeoutMs,
    expiringDays,
    clock: systemClock,
    onResult: (outcome, done, total) => report(io, flags.json === true, outcome, done, total),
  });
  if (io.isTTY) io.stderr.write(ownControl("\r\x1b[K"));
  if (!flags.json) io.stdout.write(renderScanSummary(tally, makeStyle(wantsColor(io))));
  return tally.failed > 0 ? EXIT.findings : EXIT.ok;
}

/** JSON Lines stream as targets finish; progress goes to stderr on a terminal only. */
function report(io: Io, json: boolean, outcome: ScanOutcome, done: number, total: number): void {
  if (json) io.stdout.write(`${JSON.stringify(outcome.result)}\n`);
  if (io.isTTY)
    io.stderr.write(
      `${ownControl("\r\x1b[K")}${progressBar(done, total)} ${oneLine(outcome.result.target.registry)}`,
    );
}

function progressBar(done: number, total: number): string {
  const width = 20;
  const filled = Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`;
}
