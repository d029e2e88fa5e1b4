/**
 * Artifact tier: what only a real process shows — usage errors and exit
 * codes, --version/--help, the kubectl plugin name, and a reader that closes
 * the pipe early (`regtrust audit --format sarif | head`), which crashed the
 * bundle with an unhandled EPIPE stack trace.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { rootCertificates } from "node:tls";
import { TempDirs } from "../support/tmp.ts";
import { runArtifact, selectedArtifact, transcript } from "./artifact.ts";

const artifact = selectedArtifact();
const dirs = new TempDirs();
let epipeDir = "";
after(() => dirs.cleanup());

/**
 * `regtrust … | head -c 100` in bash: head exits after 100 bytes and the
 * artifact's next write to the pipe fails with EPIPE. Resolves with the
 * artifact's exit code (PIPESTATUS) and its stderr.
 */
function runIntoHead(argv: string[]): Promise<{ code: number; stderr: string }> {
  const script = '"$@" 2>"$ERR_FILE" | head -c 100 >/dev/null; exit "$PIPESTATUS"';
  return new Promise((resolve, reject) => {
    const errFile = join(epipeDir, `stderr-${Math.random().toString(16).slice(2)}`);
    const child = spawn("bash", ["-c", script, "--", artifact.command, ...artifact.prefix, ...argv], {
      stdio: "ignore",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", ERR_FILE: errFile },
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`regtrust ${argv.join(" ")} | head did not finish`));
    }, 30_000);
    child.on("close", async (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stderr: await readFile(errFile, "utf8").catch(() => "") });
    });
  });
}

describe(`the process (${artifact.label})`, () => {
  test("--version and --help on stdout, exit 0, nothing on stderr", async () => {
    const version = await runArtifact(artifact, ["--version"]);
    assert.equal(version.code, 0, transcript(version));
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    assert.equal(version.stderr, "");
    const help = await runArtifact(artifact, ["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: regtrust /);
  });

  test("usage errors are exit 2 with the reason on stderr", async () => {
    for (const argv of [
      ["diagnose"],
      ["frobnicate"],
      ["trust", "repo.example.com"],
      ["diagnose", "x", "--timeout", "soon"],
    ]) {
      const run = await runArtifact(artifact, argv);
      assert.equal(run.code, 2, `${argv.join(" ")}: ${transcript(run)}`);
      assert.notEqual(run.stderr, "", argv.join(" "));
      assert.equal(run.stdout, "");
    }
  });

  test("as kubectl-regtrust (a kubectl plugin) it is `regtrust k8s`", async () => {
    const dir = await dirs.make("plugin");
    const plugin = join(dir, "kubectl-regtrust");
    await symlink(artifact.file, plugin);
    // The bundle runs under node (the plugin name is its script); a single executable is the plugin itself.
    const asPlugin =
      artifact.prefix.length === 0 ? { ...artifact, command: plugin } : { ...artifact, prefix: [plugin] };
    const run = await runArtifact(asPlugin, ["--help"]);
    assert.equal(run.code, 0, transcript(run));
    assert.match(run.stdout, /^Usage: regtrust k8s /);
  });

  test("piped into head: no EPIPE stack trace, the command still ends with its own exit code", async () => {
    epipeDir = await dirs.make("epipe");
    const bundle = join(epipeDir, "bundle.pem");
    // 144 roots: the text and JSON reports are far larger than a pipe's buffer.
    await writeFile(bundle, rootCertificates.join("\n"));
    for (const argv of [
      ["inspect", bundle],
      ["inspect", bundle, "--json"],
    ]) {
      const run = await runIntoHead(argv);
      assert.doesNotMatch(run.stderr, /EPIPE|Unhandled|at .*\(node:/, `${argv.join(" ")}: ${run.stderr}`);
      assert.equal(run.code, 0, `${argv.join(" ")}: ${run.stderr}`);
    }
  });
});
