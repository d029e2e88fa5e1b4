import assert from "node:assert/strict";
import { lookup } from "node:dns/promises";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ensureHostsEntries, ensureTestHosts, MARKER, TEST_HOSTS } from "./etc-hosts.ts";
import { TempDirs } from "./tmp.ts";

const temps = new TempDirs();
after(() => temps.cleanup());

async function hostsFile(content: string): Promise<string> {
  const path = join(await temps.make("hosts"), "hosts");
  await writeFile(path, content);
  return path;
}

function linesFor(content: string, name: string): string[] {
  return content.split("\n").filter((l) => l.split(/\s+/).includes(name));
}

describe("ensureHostsEntries", () => {
  it("appends marked lines once and is idempotent", async () => {
    const path = await hostsFile("127.0.0.1 localhost");
    assert.deepEqual(await ensureHostsEntries({ "repo.example.com": "127.0.0.1" }, { path }), [
      "repo.example.com",
    ]);
    assert.deepEqual(await ensureHostsEntries({ "repo.example.com": "127.0.0.1" }, { path }), []);
    const content = await readFile(path, "utf8");
    assert.equal(content, `127.0.0.1 localhost\n127.0.0.1 repo.example.com ${MARKER}\n`);
  });

  it("serialises concurrent writers with the lock file", async () => {
    const path = await hostsFile("127.0.0.1 localhost\n");
    const map = { "a.example.com": "127.0.0.2", "b.example.com": "127.0.0.3" };
    await Promise.all(Array.from({ length: 8 }, () => ensureHostsEntries(map, { path })));
    const content = await readFile(path, "utf8");
    assert.equal(linesFor(content, "a.example.com").length, 1);
    assert.equal(linesFor(content, "b.example.com").length, 1);
  });

  it("rewrites its own line when the wanted address changed", async () => {
    const path = await hostsFile(`# keep me\n127.0.0.9 repo.example.com ${MARKER}\n`);
    await ensureHostsEntries({ "repo.example.com": "127.0.0.1" }, { path });
    assert.equal(await readFile(path, "utf8"), `# keep me\n127.0.0.1 repo.example.com ${MARKER}\n`);
  });

  it("refuses to override a mapping it does not own", async () => {
    const path = await hostsFile("10.0.0.1 repo.example.com\n");
    await assert.rejects(
      ensureHostsEntries({ "repo.example.com": "127.0.0.1" }, { path }),
      /already maps to 10\.0\.0\.1/,
    );
  });

  it("makes the test names resolve through the real /etc/hosts", async () => {
    await ensureTestHosts();
    for (const [name, ip] of Object.entries(TEST_HOSTS)) {
      const { address } = await lookup(name, { family: 4 });
      assert.equal(address, ip, name);
    }
  });
});
