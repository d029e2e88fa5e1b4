import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { emptyJournal, type Journal, type PendingRestartRecord } from "../plan/journal.ts";
import { pendingRestarts } from "./pending-restart.ts";
import { makeNodeRoot, type NodeEntry } from "./testing/node-root.ts";

const NOW = new Date();
const CHANGE = new Date(NOW.getTime() - 60_000).toISOString();

function record(name: string): PendingRestartRecord {
  const reload = name.endsWith("-reload");
  const unit = reload ? name.slice(0, -"-reload".length) : name;
  return {
    unit,
    argv: ["systemctl", reload ? "reload" : "restart", unit],
    reason: "reads its config at start",
    since: CHANGE,
    target: "reg.example.com:5000",
    runId: "r1",
    files: ["/etc/containerd/config.toml"],
  };
}

/** A /proc with one process started `startedSecondsAgo` before now (uptime 1000 s; USER_HZ 100). */
function proc(comm: string, startedSecondsAgo: number, cmdline: string[]): Record<string, NodeEntry> {
  const ticks = Math.round((1000 - startedSecondsAgo) * 100);
  const fields = ["S", ...Array.from({ length: 18 }, () => "0"), String(ticks), "0"];
  return {
    "/proc/uptime": "1000.00 1900.00\n",
    "/proc/4242/comm": `${comm}\n`,
    "/proc/4242/stat": `4242 (${comm}) ${fields.join(" ")}\n`,
    "/proc/4242/cmdline": `${cmdline.join("\u0000")}\u0000`,
  };
}

const journal = (...units: string[]): Journal => ({ ...emptyJournal(), restarts: units.map(record) });

describe("pendingRestarts", () => {
  const cases: {
    name: string;
    entries: Record<string, NodeEntry>;
    units: string[];
    expect: Array<{ context: string; status: string }>;
  }[] = [
    {
      name: "no /proc: unconfirmed",
      entries: { "/etc/x": "" },
      units: ["containerd"],
      expect: [{ context: "containerd", status: "unconfirmed" }],
    },
    {
      name: "containerd started before the change: pending",
      entries: proc("containerd", 120, ["/usr/bin/containerd"]),
      units: ["containerd"],
      expect: [{ context: "containerd", status: "pending" }],
    },
    {
      name: "containerd started after the change: gone",
      entries: proc("containerd", 5, ["/usr/bin/containerd"]),
      units: ["containerd"],
      expect: [],
    },
    {
      name: "a containerd with another --config is not this node's: not running, gone",
      entries: proc("containerd", 120, ["/usr/bin/containerd", "--config", "/tmp/other/config.toml"]),
      units: ["containerd"],
      expect: [],
    },
    {
      name: "k3s-agent started before the change: pending for k3s",
      entries: proc("k3s-agent", 120, ["/usr/local/bin/k3s", "agent"]),
      units: ["k3s-agent"],
      expect: [{ context: "k3s", status: "pending" }],
    },
    {
      name: "an unknown unit is ignored",
      entries: proc("containerd", 120, []),
      units: ["nginx"],
      expect: [],
    },
    {
      name: "a reload keeps the process and its start time: never 'pending', only unconfirmed",
      entries: proc("dockerd", 120, ["/usr/bin/dockerd"]),
      units: ["docker-reload"],
      expect: [{ context: "docker", status: "unconfirmed" }],
    },
    {
      name: "config.toml edited again after a restart: pending again (its mtime is newer)",
      entries: {
        ...proc("containerd", 30, ["/usr/bin/containerd"]),
        "/etc/containerd/config.toml": "version = 2\n",
      },
      units: ["containerd"],
      expect: [{ context: "containerd", status: "pending" }],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const node = makeNodeRoot(c.entries);
      try {
        const found = pendingRestarts({
          root: node.root,
          journal: journal(...c.units),
          containerdConfig: "/etc/containerd/config.toml",
        });
        assert.deepEqual(
          found.map((p) => ({ context: p.context, status: p.status })),
          c.expect,
        );
      } finally {
        node.cleanup();
      }
    });
  }
});
