import { readFileSync, statSync } from "node:fs";
import { inspectBundle } from "../../chain/inspect-bundle.ts";
import { systemClock } from "../../core/deps.ts";
import { EXIT, InputError } from "../../core/errors.ts";
import { parseExpiringDays } from "../common-options.ts";
import { type Io, wantsColor } from "../io.ts";
import { renderInspectText } from "../render/inspect-text.ts";
import { makeStyle } from "../style.ts";

export interface InspectFlags {
  json?: boolean;
  expiringDays: string;
}

/** Far beyond any CA bundle (the Mozilla set is ~220 KiB); a bigger file is not one. */
const MAX_INPUT_BYTES = 32 * 1024 * 1024;

/**
 * `regtrust inspect <file|->`: any PEM (junk between blocks, CRLF, BOM), DER
 * or PKCS#7 input; lists every certificate, how they chain and what is odd.
 * Private keys are counted, never printed.
 *
 * Exit codes: 0 read, nothing error-level; 1 an error-level issue (a block that
 * does not decode, an expired or not-yet-valid certificate outside a root store,
 * a non-CA signing another); 2 unreadable input or no certificate at all.
 *
 * `--json` (schemaVersion 1; fields are only ever added):
 * ```
 * { "schemaVersion": 1, "file", "format": "pem|der|pkcs7|mixed", "count",
 *   "goLoads": n,            // certificates Go's AppendCertsFromPEM would load
 *   "privateKeys": n,        // counted, contents never shown
 *   "order": "single|roots|leaf-first|root-first|unordered|several", "summary",
 *   "certificates": [ Certificate & { "issuedBy": position|null, "duplicateOf": position|null, "goLoads": bool } ],
 *   "chains": [ [positions, bottom first] ],
 *   "issues": [ { "kind", "severity", "message", "position" } ],
 *   "ok": bool, "checkedAt" }
 * ```
 * Certificate is the object documented on runChain, with origin { "source": "file" }.
 */
export async function runInspect(file: string, flags: InspectFlags, io: Io): Promise<number> {
  const expiringDays = parseExpiringDays(flags.expiringDays);
  const fromStdin = file === "-";
  const bytes = fromStdin ? await io.readStdin() : readInput(file);
  if (bytes.length > MAX_INPUT_BYTES)
    throw new InputError(
      `${fromStdin ? "standard input" : file} is larger than 32 MiB; not a certificate bundle`,
    );
  const report = inspectBundle(bytes, fromStdin ? "standard input" : file, {
    clock: systemClock,
    expiringDays,
  });
  io.stdout.write(
    flags.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : renderInspectText(report, makeStyle(wantsColor(io))),
  );
  return report.ok ? EXIT.ok : EXIT.findings;
}

function readInput(file: string): Buffer {
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new InputError(`${file} is a directory, not a certificate file`);
    if (stat.size > MAX_INPUT_BYTES)
      throw new InputError(`${file} is larger than 32 MiB; not a certificate bundle`);
    return readFileSync(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (error as Error).message;
    throw new InputError(`cannot read ${file}: ${why}`);
  }
}
