import { bySeverity } from "../../chain/chain-issue.ts";
import { selectOutput } from "../../chain/chain-output.ts";
import type { ChainReport } from "../../chain/chain-report.ts";
import type { ChainCompletion } from "../../chain/complete-chain.ts";
import { examineServerChain } from "../../chain/server-chain.ts";
import { systemClock } from "../../core/deps.ts";
import { EXIT, UsageError } from "../../core/errors.ts";
import { writeOutputFile } from "../../plan/write-output.ts";
import { parseTarget } from "../../target/parse-target.ts";
import { parseExpiringDays, parseTimeout } from "../common-options.ts";
import { type Io, wantsColor } from "../io.ts";
import { renderChainText } from "../render/chain-text.ts";
import { makeStyle } from "../style.ts";

export interface ChainFlags {
  output?: string;
  complete?: boolean;
  rootOnly?: boolean;
  json?: boolean;
  timeout: string;
  expiringDays: string;
}

/**
 * `regtrust chain <target>`: the chain a registry presents, what is wrong with
 * it, optionally completed through AIA (`--complete`) and saved (`-o FILE`,
 * `--root-only`). The handshake and all AIA fetching share one `--timeout`.
 *
 * Exit codes: 0 the chain as sent is complete, in order and valid (warnings
 * allowed); 1 an error-level issue (missing intermediate, wrong order, expired,
 * connection failed, or `--root-only` found no root and wrote nothing);
 * 2 bad input (target, flags, unwritable -o path). A chain that `--complete`
 * repaired still exits 1: the server itself remains misconfigured.
 *
 * `--json` (schemaVersion 1; fields are only ever added):
 * ```
 * { "schemaVersion": 1,
 *   "target": { "input", "host", "port", "serverName", "registry" },
 *   "ok": bool,                           // no error-level issue
 *   "connection": { "address", "protocol" } | null,
 *   "presented": [ Certificate ],         // as sent, positions 1…n
 *   "completion": { "requested": bool, "reachedRoot": bool,
 *                   "fetched": [ Certificate ],   // from AIA, positions n+1…
 *                   "attempts": [ { "url", "forPosition", "outcome": "ok" | "aia-…", "gotPosition" } ] },
 *   "path": [ positions ],                // leaf first, each signed by the next
 *   "root": { "position", "subject", "sha256", "origin" } | null,
 *   "issues": [ { "kind", "severity": "error|warning|info", "message", "position", "url"? } ],
 *   "output": { "file", "rootOnly", "certificates": [ { "position", "subject", "sha256", "origin" } ],
 *               "warning": string | null } | null,
 *   "checkedAt": ISO-8601 }
 * Certificate = { "position", "subject", "issuer", "serial", "notBefore", "notAfter", "daysLeft",
 *   "sans": ["DNS:…", "IP:…"], "isCA", "selfSigned", "key", "signatureAlgorithm", "sha256",
 *   "aiaIssuers": [urls], "origin": { "source": "server" } | { "source": "aia", "url" } }
 * ```
 * Issue kinds are listed on ChainIssue (src/chain/chain-issue.ts).
 */
export async function runChain(targetText: string, flags: ChainFlags, io: Io): Promise<number> {
  checkFlags(flags);
  const target = parseTarget(targetText);
  const timeoutMs = parseTimeout(flags.timeout);
  const expiringDays = parseExpiringDays(flags.expiringDays);
  const { report, completion } = await examineServerChain(target, {
    timeoutMs,
    complete: flags.complete === true,
    clock: systemClock,
    expiringDays,
  });
  if (flags.output !== undefined && report.presented.length > 0) saveChain(report, completion, flags, io);
  const text = flags.json
    ? `${JSON.stringify(report, null, 2)}\n`
    : renderChainText(report, makeStyle(flags.output === "-" ? false : wantsColor(io)));
  // With -o - the PEM is the result on stdout; the report then goes to stderr.
  (flags.output === "-" ? io.stderr : io.stdout).write(text);
  return report.ok ? EXIT.ok : EXIT.findings;
}

function checkFlags(flags: ChainFlags): void {
  if (flags.rootOnly && flags.output === undefined) {
    throw new UsageError("--root-only needs -o FILE (or -o - for standard output)");
  }
  if (flags.output === "-" && flags.json) {
    throw new UsageError("-o - and --json both want standard output; write the PEM to a file instead");
  }
  if (flags.output === "") throw new UsageError("-o needs a file name");
}

/** Writes the selection (or records why not) and puts what was written into the report. */
function saveChain(report: ChainReport, completion: ChainCompletion, flags: ChainFlags, io: Io): void {
  const file = flags.output ?? "-";
  const selection = selectOutput(completion, file, flags.rootOnly === true, flags.complete === true);
  if ("refusal" in selection) {
    report.issues = bySeverity([...report.issues, selection.refusal]);
    report.ok = false;
    return;
  }
  if (file === "-") io.stdout.write(selection.pem);
  else writeOutputFile(file, selection.pem);
  report.output = selection.output;
}
