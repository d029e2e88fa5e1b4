// Which Debian entries of a machine's apt sources the image's base is built from (scripts/image/apt-sources.ts).
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { debianSources, mirrorLines, parseDeb822, parseOneLine } from "../../scripts/image/apt-sources.ts";
import { TempDirs } from "../support/tmp.ts";

const dirs = new TempDirs();
after(() => dirs.cleanup());

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main contrib

Types: deb
URIs: http://example.invalid/disabled
Suites: bookworm
Components: main
Enabled: no
`;

test("deb822 stanzas: one entry per URI and suite, disabled stanzas and deb-src left out", () => {
  assert.deepEqual(parseDeb822(DEB822), [
    { uri: "http://deb.debian.org/debian", suite: "bookworm", components: ["main"] },
    { uri: "http://deb.debian.org/debian", suite: "bookworm-updates", components: ["main"] },
    {
      uri: "http://deb.debian.org/debian-security",
      suite: "bookworm-security",
      components: ["main", "contrib"],
    },
  ]);
});

test("one-line format: options and comments skipped", () => {
  const text =
    "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main contrib # x\ndeb-src http://m.example/debian bookworm main\n";
  assert.deepEqual(parseOneLine(text), [
    { uri: "http://m.example/debian", suite: "bookworm", components: ["main", "contrib"] },
  ]);
});

test("only the suite, its -updates and -security, only the recipe's components; third-party repositories out", async () => {
  const apt = await dirs.make("apt");
  await mkdir(join(apt, "sources.list.d"));
  await writeFile(join(apt, "sources.list.d", "debian.sources"), DEB822);
  await writeFile(
    join(apt, "sources.list.d", "vendor.list"),
    "deb https://vendor.example/apt cloud-sdk-bookworm main\n",
  );
  await writeFile(
    join(apt, "sources.list.d", "nodesource.sources"),
    "Types: deb\nURIs: https://n.example\nSuites: nodistro\nComponents: main\n",
  );
  assert.deepEqual(mirrorLines(debianSources("bookworm", ["main"], apt)), [
    "deb http://deb.debian.org/debian bookworm main",
    "deb http://deb.debian.org/debian bookworm-updates main",
    "deb http://deb.debian.org/debian-security bookworm-security main",
  ]);
});

test("a machine without Debian entries falls back to Debian's own mirrors", async () => {
  const apt = await dirs.make("apt-empty");
  assert.deepEqual(
    debianSources("bookworm", ["main"], apt).map((s) => s.suite),
    ["bookworm", "bookworm-updates", "bookworm-security"],
  );
});
