/** The machine and tool versions a bench run reports next to its figures. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os";

export interface Machine {
  date: string;
  nproc: number;
  cpuModel: string;
  ramGiB: number;
  os: string;
  kernel: string;
  node: string;
  tools: string[];
  loadBefore: number;
  loadAfter: number;
}

function osName(): string {
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? "unknown OS";
  } catch {
    return "unknown OS (no /etc/os-release)";
  }
}

/** First match of `pattern` in a tool's version output, or why there is none. */
function toolVersion(label: string, argv: string[], pattern: RegExp): string {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8", timeout: 10_000 });
  if (r.error) return `${label}: not installed`;
  const text = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
  return `${label} ${pattern.exec(text)?.[1]?.trim() ?? "(version not found)"}`;
}

export function describeMachine(): Machine {
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? "unknown CPU",
    ramGiB: totalmem() / 1024 ** 3,
    os: osName(),
    kernel: release(),
    node: process.version,
    tools: [
      toolVersion("openssl", ["openssl", "version"], /OpenSSL\s+(\S+)/),
      toolVersion("curl", ["curl", "--version"], /^curl\s+(\S+)/m),
      toolVersion("sslscan", ["sslscan", "--version"], /^\s*(\d+\.\d+\S*)/m),
      toolVersion("testssl.sh", ["testssl", "--version"], /testssl\s+(\d\S*)/),
    ],
    loadBefore: loadavg()[0] ?? Number.NaN,
    loadAfter: Number.NaN,
  };
}
