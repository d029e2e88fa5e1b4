import { basename } from "node:path";
import { Command, CommanderError } from "commander";
import { EXIT, exitCodeFor } from "../core/errors.ts";
import { registerK8sCommands } from "./commands/k8s-register.ts";
import { rootOption, runtimeOption, type SetExit, timeoutOption } from "./common-options.ts";
import { type Io, processIo } from "./io.ts";

declare const __REGTRUST_VERSION__: string | undefined;
const VERSION = typeof __REGTRUST_VERSION__ === "string" ? __REGTRUST_VERSION__ : "0.0.0-dev";

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
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

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
    .command("demo")
    .description("replay the incident on loopback: a private-CA registry the node does not trust, diagnosed")
    .option("--json", "print the diagnosis as JSON")
    .action(async (opts) => {
      const { runDemo } = await import("./commands/demo.ts");
      setExit(await runDemo(opts, io));
    });

  registerK8sCommands(program, io, setExit);

  routeOutput(program, io);
  return program;
}

/** Every (sub)command reports through Io and throws instead of exiting, so tests run in-process. */
function routeOutput(command: Command, io: Io): void {
  for (const sub of command.commands) {
    sub
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
    routeOutput(sub, io);
  }
}

/** `kubectl regtrust node …` runs the binary as kubectl-regtrust: map it onto `regtrust k8s …`. */
export function argvForInvocation(scriptPath: string, argv: readonly string[]): string[] {
  return basename(scriptPath).startsWith("kubectl-regtrust") ? ["k8s", ...argv] : [...argv];
}

const isEntryPoint = process.argv[1] !== undefined && /regtrust(\.mjs|\.ts)?$/.test(process.argv[1]);
if (isEntryPoint) {
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
