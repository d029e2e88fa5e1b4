import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { goVersionOfBinary } from "./go-buildinfo.ts";
import { HostFs } from "./host-fs.ts";

/**
 * Synthetic ELF files carry the two build-info layouts byte for byte as the Go
 * linker writes them (cmd/link, debug/buildinfo); real binaries prove the rest:
 * Debian 12's containerd here, and the Go 1.19–1.24 oracle builds in test/oracle.
 */

const MAGIC = Buffer.from("\xff Go buildinf:", "latin1");
const SENTINEL_START = Buffer.from("3077af0c9274080241e1c107e6d618e6", "hex");
const SENTINEL_END = Buffer.from("f932433186182072008242104116d8f2", "hex");

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

function modinfo(lines: string): Buffer {
  return Buffer.concat([SENTINEL_START, Buffer.from(lines), SENTINEL_END]);
}

interface SectionSpec {
  name: string;
  addr: bigint;
  data: Buffer;
}

/** A little-endian ELF64 file with the given sections (plus the null one and .shstrtab). */
function elf64(sections: SectionSpec[]): Buffer {
  const names = Buffer.concat([
    Buffer.from([0]),
    ...sections.map((s) => Buffer.from(`${s.name}\0`)),
    Buffer.from(".shstrtab\0"),
  ]);
  const all = [...sections, { name: ".shstrtab", addr: 0n, data: names }];
  let offset = 64;
  const placed = all.map((s) => {
    const at = offset;
    offset += s.data.length;
    return { ...s, at };
  });
  const shoff = offset;
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2; // ELFCLASS64
  header[5] = 1; // little-endian
  header[6] = 1;
  header.writeBigUInt64LE(BigInt(shoff), 0x28);
  header.writeUInt16LE(64, 0x3a);
  header.writeUInt16LE(all.length + 1, 0x3c);
  header.writeUInt16LE(all.length, 0x3e);
  let nameOffset = 1;
  const table = [Buffer.alloc(64)];
  for (const s of placed) {
    const sh = Buffer.alloc(64);
    sh.writeUInt32LE(nameOffset, 0);
    nameOffset += s.name.length + 1;
    sh.writeBigUInt64LE(s.addr, 0x10);
    sh.writeBigUInt64LE(BigInt(s.at), 0x18);
    sh.writeBigUInt64LE(BigInt(s.data.length), 0x20);
    table.push(sh);
  }
  return Buffer.concat([header, ...placed.map((s) => s.data), ...table]);
}

function header(flags: number): Buffer {
  const h = Buffer.alloc(32);
  MAGIC.copy(h, 0);
  h[14] = 8;
  h[15] = flags;
  return h;
}

const root = mkdtempSync(join(tmpdir(), "regtrust-buildinfo-"));
after(() => rmSync(root, { recursive: true, force: true }));
const fs = new HostFs(root);

function place(path: string, bytes: Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), bytes);
}

describe("goVersionOfBinary: the Go build info of a runtime binary", () => {
  it("Go ≥ 1.18 inline strings: version, main path and DefaultGODEBUG", () => {
    const info = modinfo(
      "path\tgithub.com/containerd/containerd/cmd/containerd\nbuild\t-trimpath=true\nbuild\tDefaultGODEBUG=rsa1024min=0,x509negativeserial=1\n",
    );
    const version = Buffer.from("go1.24.4");
    const blob = Buffer.concat([header(0x2), uvarint(version.length), version, uvarint(info.length), info]);
    place("/usr/bin/containerd", elf64([{ name: ".go.buildinfo", addr: 0x1000n, data: blob }]));
    assert.deepEqual(goVersionOfBinary(fs, "/usr/bin/containerd"), {
      version: "go1.24.4",
      defaultGodebug: "rsa1024min=0,x509negativeserial=1",
      mainPath: "github.com/containerd/containerd/cmd/containerd",
      modules: {},
      source: "/usr/bin/containerd (Go build info)",
      assumed: false,
    });
  });

  it("Go < 1.18 pointers to string headers, resolved through the section addresses", () => {
    const version = Buffer.from("go1.16.15");
    const info = modinfo("path\tgithub.com/k3s-io/k3s\n");
    // .data at 0x2000: version header {0x2100, len}, modinfo header {0x2200, len}; strings at 0x2100 / 0x2200.
    const data = Buffer.alloc(0x300);
    data.writeBigUInt64LE(0x2100n, 0);
    data.writeBigUInt64LE(BigInt(version.length), 8);
    data.writeBigUInt64LE(0x2200n, 16);
    data.writeBigUInt64LE(BigInt(info.length), 24);
    version.copy(data, 0x100);
    info.copy(data, 0x200);
    const blob = header(0);
    const pointers = Buffer.alloc(16);
    pointers.writeBigUInt64LE(0x2000n, 0);
    pointers.writeBigUInt64LE(0x2010n, 8);
    const buildinfo = Buffer.concat([blob.subarray(0, 16), pointers]);
    place(
      "/usr/local/bin/k3s",
      elf64([
        { name: ".go.buildinfo", addr: 0x1000n, data: buildinfo },
        { name: ".data", addr: 0x2000n, data },
      ]),
    );
    const read = goVersionOfBinary(fs, "/usr/local/bin/k3s");
    assert.equal(read?.version, "go1.16.15");
    assert.equal(read?.mainPath, "github.com/k3s-io/k3s");
    assert.equal(read?.defaultGodebug, null);
  });

  it("null for a missing file, a script, an ELF without Go build info", () => {
    place("/usr/bin/script", Buffer.from("#!/bin/sh\necho hi\n"));
    place("/usr/bin/c-program", elf64([{ name: ".text", addr: 0x1000n, data: Buffer.alloc(16) }]));
    assert.equal(goVersionOfBinary(fs, "/usr/bin/missing"), null);
    assert.equal(goVersionOfBinary(fs, "/usr/bin/script"), null);
    assert.equal(goVersionOfBinary(fs, "/usr/bin/c-program"), null);
  });

  it("Debian 12's /usr/bin/containerd: what `go version -m` prints", {
    skip: !existsSync("/usr/bin/containerd"),
  }, () => {
    const read = goVersionOfBinary(new HostFs("/"), "/usr/bin/containerd");
    assert.ok(read);
    const go = spawnSync("/usr/lib/go-1.19/bin/go", ["version", "/usr/bin/containerd"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    if (go.status === 0) assert.equal(go.stdout.trim(), `/usr/bin/containerd: ${read.version}`);
    assert.match(read.version, /^go1\.\d+/);
    assert.equal(read.mainPath, "github.com/containerd/containerd/cmd/containerd");
  });
});
