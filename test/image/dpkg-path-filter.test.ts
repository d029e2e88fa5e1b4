/**
 * scripts/image/dpkg-path-filter.ts against dpkg itself: a package holding
 * files, directories and symlinks is unpacked by this machine's dpkg
 * (`dpkg --root=… --path-exclude/--path-include … --unpack`) for each filter
 * set, and what dpkg left on disk must be exactly the package's contents
 * minus what filteredMembers() drops from the package's tar listing.
 */
import assert from "node:assert/strict";
import { lstat, mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  filteredMembers,
  fnmatch,
  parsePathFilters,
  parseTarListing,
} from "../../scripts/image/dpkg-path-filter.ts";
import { loadRecipe } from "../../scripts/image/recipe.ts";
import { runCommand } from "../support/processes.ts";
import { TempDirs } from "../support/tmp.ts";

const dirs = new TempDirs();
let deb = "";
let listing = "";

const FILES = [
  "usr/bin/tool",
  "usr/share/doc/pkg/copyright",
  "usr/share/doc/pkg/changelog.Debian.gz",
  "usr/share/doc/pkg/README",
  "usr/share/doc/pkg/examples/a.conf",
  "usr/share/man/man1/tool.1.gz",
  "usr/share/man/de/man1/tool.1.gz",
  "usr/share/locale/de/LC_MESSAGES/pkg.mo",
  "usr/share/locale/locale.alias",
  "usr/share/info/pkg.info.gz",
  "usr/share/lintian/overrides/pkg",
  "opt/keep/a",
  "opt/drop/b",
  "opt/.hidden",
  "opt/x1",
  "opt/y1",
];
const SYMLINKS: [string, string][] = [
  ["usr/share/doc/pkg/FAQ", "README"],
  ["usr/share/doc/other", "pkg"],
  ["usr/share/man/man1/alias.1.gz", "tool.1.gz"],
  ["opt/link", "keep"],
];

const FILTER_SETS: Record<string, string[]> = {
  "the recipe's dpkgExcludes": loadRecipe().debian.dpkgExcludes,
  "exclude only": ["path-exclude=/usr/share/doc/*"],
  "include then exclude: the last match decides": ["path-include=/opt/keep/*", "path-exclude=/opt/*"],
  "exclude, re-include, exclude again": [
    "path-exclude=/opt/*",
    "path-include=/opt/keep*",
    "path-exclude=/opt/keep/a",
  ],
  "? and classes; * matches / and dot files": ["path-exclude=/opt/[xz]?", "path-exclude=/usr/*/man1/*"],
  // (An exact directory such as path-exclude=/usr/share/info makes dpkg fail on the files under it, dpkg(1).)
  "a symlink an include pattern's prefix names is kept": ["path-exclude=/opt/*", "path-include=/opt/link/*"],
};

before(
  async () => {
    const stage = await dirs.make("dpkg-filter-stage");
    await mkdir(join(stage, "DEBIAN"));
    await writeFile(
      join(stage, "DEBIAN", "control"),
      "Package: filter-probe\nVersion: 1\nArchitecture: all\nMaintainer: t <t@example.com>\nDescription: probe\n",
    );
    for (const file of FILES) {
      await mkdir(join(stage, file, ".."), { recursive: true });
      await writeFile(join(stage, file), `${file}\n`);
    }
    for (const [link, target] of SYMLINKS) await symlink(target, join(stage, link));
    deb = join(await dirs.make("dpkg-filter-deb"), "probe.deb");
    const built = await runCommand(["dpkg-deb", "--root-owner-group", "--build", stage, deb], {
      timeoutMs: 60_000,
    });
    assert.equal(built.code, 0, built.stderr);
    const tar = await runCommand(
      [
        "sh",
        "-c",
        'dpkg-deb --fsys-tarfile "$1" | tar --list --verbose --numeric-owner --quoting-style=literal',
        "-",
        deb,
      ],
      { timeoutMs: 60_000, env: { ...process.env, LC_ALL: "C", TZ: "UTC" } },
    );
    assert.equal(tar.code, 0, tar.stderr);
    listing = tar.stdout;
  },
  { timeout: 120_000 },
);

after(() => dirs.cleanup());

/** What `dpkg --unpack` with `options` leaves under a fresh root, as absolute paths (dpkg's own database left out). */
async function dpkgUnpack(options: string[]): Promise<string[]> {
  const root = await dirs.make("dpkg-filter-root");
  await mkdir(join(root, "var/lib/dpkg/info"), { recursive: true });
  await mkdir(join(root, "var/lib/dpkg/updates"));
  await writeFile(join(root, "var/lib/dpkg/status"), "");
  const run = await runCommand(
    ["dpkg", `--root=${root}`, "--log=/dev/null", ...options.map((o) => `--${o}`), "--unpack", deb],
    { timeoutMs: 60_000, env: { ...process.env, PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } },
  );
  assert.equal(run.code, 0, run.stderr);
  const found: string[] = [];
  const walk = async (dir: string) => {
    for (const name of await readdir(join(root, dir))) {
      const path = `${dir}/${name}`;
      if (path === "/var/lib/dpkg" || path === "/var/lib" || path === "/var") {
        if (path !== "/var/lib/dpkg") await walk(path);
        continue;
      }
      found.push(path);
      if ((await lstat(join(root, path))).isDirectory()) await walk(path);
    }
  };
  await walk("");
  return found.sort();
}

describe("dpkg path filters applied to a tar listing, against dpkg's own unpack", () => {
  for (const [name, options] of Object.entries(FILTER_SETS)) {
    test(name, async () => {
      const members = parseTarListing(listing).filter((m) => m.path !== "/");
      const dropped = new Set(filteredMembers(members, parsePathFilters(options)).map((m) => m.path));
      const expected = members
        .map((m) => m.path)
        .filter((p) => !dropped.has(p))
        .sort();
      assert.deepEqual(await dpkgUnpack(options), expected);
    });
  }
});

describe("fnmatch with no flags, as dpkg calls it", () => {
  const cases: [string, string, boolean][] = [
    ["/usr/share/doc/*", "/usr/share/doc/a/b/c", true],
    ["/usr/share/doc/*", "/usr/share/doc", false],
    ["/usr/*/READ*", "/usr/share/doc/package/README", true],
    ["/opt/?1", "/opt/x1", true],
    ["/opt/[!x]1", "/opt/x1", false],
    ["/opt/[!x]1", "/opt/y1", true],
    ["/opt/*", "/opt/.hidden", true],
    ["/a\\*b", "/a*b", true],
    ["/a\\*b", "/axb", false],
    ["/a.b", "/axb", false],
  ];
  for (const [pattern, path, matches] of cases) {
    test(`${pattern} ${matches ? "matches" : "does not match"} ${path}`, () => {
      assert.equal(fnmatch(pattern, path), matches);
    });
  }
});

describe("parsePathFilters", () => {
  test("rejects what is not a dpkg path filter", () => {
    assert.throws(() => parsePathFilters(["path-exclude=usr/share"]), /not a dpkg path filter/);
    assert.throws(() => parsePathFilters(["force-unsafe-io"]), /not a dpkg path filter/);
  });
});
