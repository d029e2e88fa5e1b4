import { basename } from "node:path";
import { Command, CommanderError } from "commander";
import { EXIT, exitCodeFor } from "../core/errors.ts";
import { VERSION } from "../core/version.ts";
import { registerK8sCommands } from "./commands/k8s-register.ts";
import { rootOption, runtimeOption, type SetExit, timeoutOption } from "./common-options.ts";
import { dropDependencyWarnings } from "./dependency-warnings.ts";
import { type Io, processIo } from "./io.ts";

/**
 * Parses argv and runs one command. Command modules are imported only when
 * their command runs, so `--help` and `diagnose` pay only for what they use.
 * This is the one top-level handler that maps errors to exit codes.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or help) through configureOutput.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.ok;
    if (error.code === "commander.help") return EXIT.ok;
    return EXIT.usage;
  }
  const code = exitCodeFor(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === EXIT.internal) {
    io.stderr.write(`regtrust: internal error: ${message}\n`);
    if (io.env.REGTRUST_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  } else {
    io.stderr.write(`regtrust: ${message}\n`);
  }
  return code;
}

function buildProgram(io: Io, setExit: SetExit): Command {
  const program = new Command("regtrust")
    .description("Diagnose and fix private container-registry TLS trust on this node.")
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .enablePositionalOptions()
    .configureOutput(outputTo(io));

  program
    .command("diagnose")
    .description("say exactly why this node cannot pull from a registry, per container runtime")
    .argument("<target>", "host[:port], image reference or https URL")
    .addOption(rootOption())
    .addOption(runtimeOption())
    .option("--json", "print the result as JSON (schemaVersion 1)")
    .addOption(timeoutOption())
    .option("--expiring-days <days>", "warn when a certificate expires within this many days", "30")
    .action(async (target: string, opts) => {
      const { runDiagnose } = await import("./commands/diagnose.ts");
      setExit(await runDiagnose(target, opts, io));
    });

  program
    .command("scan")
    .description("diagnose many registries at once: a target list, a Kubernetes manifest or kubectl JSON")
    .argument(
      "[file]",
      "one target per line, manifest YAML or `kubectl get pods -A -o json`; - for stdin",
      "-",
    )
    .option("--concurrency <n>", "targets diagnosed at the same time", "8")
    .addOption(rootOption())
    .addOption(runtimeOption())
    .option("--json", "print one diagnose --json object per target (JSON Lines)")
    .addOption(timeoutOption())
    .option("--expiring-days <days>", "warn when a certificate expires within this many days", "30")
    .action(async (file: string, opts) => {
      const { runScan } = await import("./commands/scan.ts");
      setExit(await runScan(file, opts, io));
    });

  program
    .command("trust")
    .description("make every runtime on this node trust a registry's CA, verified and reversible")
    .argument("<target>", "host[:port], image reference or https URL")
    .option("--ca <file>", "the CA certificate (PEM, DER or bundle) that anchors the registry's chain")
    .option("--from-server", "trust the root the server presents (requires --expect-fingerprint)")
    .option("--expect-fingerprint <sha256>", "the SHA-256 fingerprint the root must have")
    .option(
      "--remove-insecure",
      "also remove the registry's skip-verify overrides (hosts.toml skip_verify, daemon.json insecure-registries, …), keeping the CA; without --ca the CA must already be trusted",
    )
    .option(
      "--replace",
      "rotation: make the CAs regtrust installed for the registry exactly these, retiring the others (default: add)",
    )
    .addOption(rootOption())
    .addOption(runtimeOption())
    .option("--dry-run", "show the diff and the commands; change nothing")
    .option("--restart", "restart the runtimes that need it (systemctl)")
    .option(
      "-v, --verbose",
      "every file, directory and command, and the general notes (default: a short summary)",
    )
    .option("--json", "print the result as JSON")
    .addOption(timeoutOption())
    .action(async (target: string, opts) => {
      const { runTrust } = await import("./commands/trust.ts");
      setExit(await runTrust(target, opts, io));
    });

  program
    .command("export")
    .description(
      "the fix `trust` makes, for new nodes: cloud-init, Ansible, Terraform, Cluster API, Karpenter, EKS, Bottlerocket, Talos, Flatcar",
    )
    .argument("<target>", "host[:port], image reference or https URL")
    .option(
      "--format <format>",
      "cloud-init, ansible, terraform, cluster-api, karpenter, eks, bottlerocket, talos or flatcar (required)",
    )
    .option("--ca <file>", "the CA certificate (PEM, DER or bundle) that anchors the registry's chain")
    .option(
      "--runtime <list>",
      "contexts to configure: system,containerd,docker,crio,k3s,rke2",
      "containerd,system",
    )
    .option(
      "--distro <id>",
      "target distribution: debian, ubuntu, rhel, fedora, amzn, sles, alpine, arch",
      "debian",
    )
    .option("--gate", "new nodes start with the registry-trust startup taint (cluster-api, karpenter, eks)")
    .option(
      "--talos-version <version>",
      "Talos release of the nodes (default: print the >= 1.12 and older forms)",
    )
    .option("-o, --output <file>", "write to FILE instead of stdout")
    .action(async (target: string, opts) => {
      const { runExport } = await import("./commands/export.ts");
      setExit(await runExport(target, opts, io));
    });

  program
    .command("untrust")
    .description("remove exactly what regtrust installed for a registry")
    .argument("<target>", "host[:port], image reference or https URL")
    .option("--ca <file>", "remove only these CAs from what regtrust installed (default: remove everything)")
    .addOption(rootOption())
    .option("--dry-run", "show the diff and the commands; change nothing")
    .option("--restart", "restart the runtimes that need it (systemctl)")
    .option("--force", "restore the original files even where someone changed them since")
    .option(
      "-v, --verbose",
      "every file, directory and command, and the general notes (default: a short summary)",
    )
    .option("--json", "print the result as JSON")
    .action(async (target: string, opts) => {
      const { runUntrust } = await import("./commands/untrust.ts");
      setExit(await runUntrust(target, opts, io));
    });

  program
    .command("insecure")
    .description("EMERGENCY: skip TLS verification for a registry until the TTL expires (always reported)")
    .argument("<target>", "host[:port], image reference or https URL")
    .option("--ttl <duration>", "how long the override lives, e.g. 30m, 4h, 2d (required)")
    .addOption(rootOption())
    .addOption(runtimeOption())
    .option("--dry-run", "show the diff and the commands; change nothing")
    .option("--restart", "restart the runtimes that need it (systemctl)")
    .option(
      "-v, --verbose",
      "every file, directory and command, and the general notes (default: a short summary)",
    )
    .option("--json", "print the result as JSON")
    .action(async (target: string, opts) => {
      const { runInsecure } = await import("./commands/insecure.ts");
      setExit(await runInsecure(target, opts, io));
    });

  program
    .command("audit")
    .description("list every insecure setting, broken CA file and config trap on this node (read-only)")
    .addOption(rootOption())
    .addOption(runtimeOption())
    .option("--json", "print the report as JSON (same as --format json)")
    .option("--format <format>", "text, json or sarif (for code-scanning pipelines)", "text")
    .option("--strict", "exit 1 on warnings too (CI and compliance gates)")
    .option("--expiring-days <days>", "report CA files that expire within this many days", "30")
    .action(async (opts) => {
      const { runAudit } = await import("./commands/audit.ts");
      setExit(await runAudit(opts, io));
    });

  program
    .command("chain")
    .description("show, save and complete the certificate chain a registry presents")
    .argument("<target>", "host[:port], image reference or https URL")
    .option("-o, --output <file>", "write the chain as a clean PEM bundle")
    .option("--complete", "fetch missing issuers through AIA caIssuers URLs (bounded)")
    .option("--root-only", "with -o: write only the self-signed root, the anchor `regtrust trust --ca` wants")
    .option("--json", "print the result as JSON (schemaVersion 1)")
    .addOption(timeoutOption())
    .option("--expiring-days <days>", "warn when a certificate expires within this many days", "30")
    .action(async (target: string, opts) => {
      const { runChain } = await import("./commands/chain.ts");
      setExit(await runChain(target, opts, io));
    });

  program
    .command("inspect")
    .description("parse a PEM/DER/PKCS#7 bundle: count, order, problems")
    .argument("<file>", "a file, or - for standard input")
    .option("--json", "print the result as JSON (schemaVersion 1)")
    .option("--expiring-days <days>", "warn when a certificate expires within this many days", "30")
    .action(async (file: string, opts) => {
      const { runInspect } = await import("./commands/inspect.ts");
      setExit(await runInspect(file, opts, io));
    });

  program
    .command("demo")
    .description("replay the incident on loopback: a private-CA registry the node does not trust, diagnosed")
    .option("--json", "print the diagnosis as JSON")
    .action(async (opts) => {
      const { runDemo } = await import("./commands/demo.ts");
      setExit(await runDemo(opts, io));
    });

  program
    .command("agent")
    .description(
      "the DaemonSet agent: keep this node trusting the configured registries, report a NodeCondition",
    )
    .requiredOption(
      "--config <file>",
      "agent configuration (YAML/JSON: registries, caFile, mode, intervalSeconds…)",
    )
    .addOption(rootOption())
    .option("--node <name>", "this node's name (default: $NODE_NAME)")
    .option("--once", "one check, then exit (1 when a registry is not trusted)")
    .option("--no-publish", "do not patch the Node or record Events (no API access needed)")
    .option(
      "--metrics-port <port>",
      "serve /metrics, /healthz, /readyz here (default: the config's metricsPort)",
    )
    .option(
      "--kubeconfig <file>",
      "kubeconfig (default: in-cluster service account, $KUBECONFIG, ~/.kube/config)",
    )
    .option("--context <name>", "kubeconfig context")
    .addOption(timeoutOption())
    .action(async (opts) => {
      const { runAgent } = await import("./commands/agent.ts");
      setExit(await runAgent(opts, io));
    });

  registerK8sCommands(program, io, setExit);

  routeOutput(program, io);
  return program;
}

/** Help is wrapped at a fixed width so it reads the same on every terminal and in golden files. */
function outputTo(io: Io) {
  return {
    writeOut: (s: string) => io.stdout.write(s),
    writeErr: (s: string) => io.stderr.write(s),
    getOutHelpWidth: () => 100,
    getErrHelpWidth: () => 100,
  };
}

/** Every (sub)command reports through Io and throws instead of exiting, so tests run in-process. */
function routeOutput(command: Command, io: Io): void {
  for (const sub of command.commands) {
    sub.exitOverride().configureOutput(outputTo(io));
    routeOutput(sub, io);
  }
}

/** `kubectl regtrust node …` runs the binary as kubectl-regtrust: map it onto `regtrust k8s …`. */
export function argvForInvocation(scriptPath: string, argv: readonly string[]): string[] {
  return basename(scriptPath).startsWith("kubectl-regtrust") ? ["k8s", ...argv] : [...argv];
}

const isEntryPoint = process.argv[1] !== undefined && /regtrust(\.mjs|\.ts)?$/.test(process.argv[1]);
if (isEntryPoint) {
  dropDependencyWarnings();
  main(argvForInvocation(process.argv[1] ?? "", process.argv.slice(2)), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`regtrust: internal error: ${String(error)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
