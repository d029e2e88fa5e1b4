import { existsSync } from "node:fs";
import { systemClock } from "../../core/deps.ts";
import { EXIT } from "../../core/errors.ts";
import { startDemoScenario } from "../../demo/scenario.ts";
import { diagnose } from "../../diagnose/diagnose.ts";
import { loadNode } from "../../diagnose/load-node.ts";
import type { DiagnoseResult } from "../../diagnose/result.ts";
import { probe } from "../../probe/probe.ts";
import { parseTarget } from "../../target/parse-target.ts";
import type { TrustRefusalReport, TrustReport } from "../../trust/report.ts";
import { DEFAULT_TIMEOUT_MS } from "../common-options.ts";
import { type Io, memoryIo, wantsColor } from "../io.ts";
import { renderDiagnoseText } from "../render/diagnose-text.ts";
import { makeStyle, type Style } from "../style.ts";
import { runTrust } from "./trust.ts";

/**
 * `regtrust demo`: the incident replayed on loopback, no network needed.
 * New pods fail because the node lacks the registry's private root; the
 * diagnosis names it, `regtrust trust` applies the fix to the throwaway
 * node, and the diagnosis turns green.
 */
/** `regtrust demo --json` (docs/schema/demo.schema.json): the diagnosis before, the trust run, the diagnosis after. */
export interface DemoReport {
  before: DiagnoseResult;
  trust: TrustReport | TrustRefusalReport;
  trustExit: number;
  after: DiagnoseResult;
}

export async function runDemo(flags: { json?: boolean }, io: Io): Promise<number> {
  const style = makeStyle(wantsColor(io));
  const scenario = await startDemoScenario();
  try {
    const target = parseTarget(scenario.registry);
    const diagnoseNode = async (): Promise<DiagnoseResult> =>
      diagnose(target, {
        node: await loadNode(scenario.root, undefined),
        timeoutMs: DEFAULT_TIMEOUT_MS,
        clock: systemClock,
        expiringDays: 30,
        probe: (t, opts) => probe(t, { ...opts, resolver: scenario.resolver }),
      });
    const before = await diagnoseNode();
    const trustArgs = {
      ca: scenario.rootCaFile,
      root: scenario.root,
      timeout: String(DEFAULT_TIMEOUT_MS),
      // The throwaway node has no binaries: its OS bundle is rebuilt with this
      // machine's update-ca-certificates. Without one, fix containerd alone.
      ...(existsSync("/usr/sbin/update-ca-certificates") ? {} : { runtime: "containerd" }),
    };
    const probeDemo: typeof probe = (t, opts) => probe(t, { ...opts, resolver: scenario.resolver });
    if (flags.json) {
      const quiet = memoryIo();
      const trustExit = await runTrust(scenario.registry, { ...trustArgs, json: true }, quiet, {
        probe: probeDemo,
      });
      const after = await diagnoseNode();
      const trust = JSON.parse(quiet.out()) as TrustReport | TrustRefusalReport;
      const report: DemoReport = { before, trust, trustExit, after };
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return after.ok ? EXIT.ok : EXIT.findings;
    }
    io.stdout.write(introduction(scenario.registry, scenario.root, style));
    io.stdout.write(`${style.dim(`$ regtrust diagnose ${scenario.registry} --root ${scenario.root}`)}\n\n`);
    io.stdout.write(renderDiagnoseText(before, style));
    io.stdout.write(
      `\n${style.bold("The fix")}: the PKI team hands over the private root (sha256 ${scenario.rootCaSha256}).\n`,
    );
    io.stdout.write(
      `${style.dim(`$ regtrust trust ${scenario.registry} --ca ${scenario.rootCaFile} --root ${scenario.root}`)}\n\n`,
    );
    const trustExit = await runTrust(scenario.registry, trustArgs, io, { probe: probeDemo });
    const after = await diagnoseNode();
    io.stdout.write(`\n${style.dim(`$ regtrust diagnose ${scenario.registry} --root ${scenario.root}`)}\n\n`);
    io.stdout.write(renderDiagnoseText(after, style));
    return trustExit === EXIT.ok && after.ok ? EXIT.ok : EXIT.findings;
  } finally {
    await scenario.close();
  }
}

function introduction(registry: string, root: string, style: Style): string {
  return [
    style.bold("regtrust demo — the ImagePullBackOff incident, replayed on loopback"),
    "",
    `  • A private registry at ${registry} (127.0.0.1) serves a certificate issued by`,
    '    "Example Corp Private Root CA" through an intermediate, as most corporate registries do.',
    `  • A node (throwaway root ${root}) runs containerd with certs.d enabled; its OS store`,
    "    holds only the public roots. Old pods would keep running from the image cache;",
    "    every new pull fails with x509: certificate signed by unknown authority.",
    "",
    "",
  ].join("\n");
}
