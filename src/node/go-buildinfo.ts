import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { GoToolchainSource } from "../pki/go-rules.ts";
import type { HostFs } from "./host-fs.ts";

/**
 * The Go version a runtime binary was built with, read from the build info the
 * Go linker embeds (src/debug/buildinfo/buildinfo.go, runtime/debug.BuildInfo):
 * a 32-byte header starting "\xff Go buildinf:" in the `.go.buildinfo` ELF
 * section, followed (Go ≥ 1.18, flag 0x2) by two varint-prefixed strings, the
 * runtime.Version() and the module info whose `build DefaultGODEBUG=…` line
 * keeps older crypto/x509 behaviour. Binaries from Go < 1.18 point at the
 * strings instead; both layouts are read. What `go version -m BINARY` prints.
 */

export interface GoBinaryInfo extends GoToolchainSource {
  /** The main package path, e.g. "github.com/containerd/containerd/cmd/containerd"; null when not recorded. */
  mainPath: string | null;
  /**
   * Module versions recorded in the build (module-mode builds only): the main
   * module (`mod`) and every dependency (`dep`), a `=>` replacement's version
   * winning — k3s records `github.com/containerd/containerd` replaced by its
   * k3s-io fork, which is the containerd it embeds. Empty for GOPATH builds.
   */
  modules: Record<string, string>;
}

const MAGIC = Buffer.from("\xff Go buildinf:", "latin1");
/** runtime/debug's sentinels around the module info string. */
const SENTINEL_LENGTH = 16;
/** A buildinfo blob holds two short strings; module info of a big binary stays well under this. */
const MAX_BLOB = 1024 * 1024;

/** null when `path` is missing, not an ELF file or carries no Go build info. */
export function goVersionOfBinary(fs: HostFs, path: string): GoBinaryInfo | null {
  const elf = readElf(fs, path);
  if (!elf) return null;
  const section = elf.sections.find((s) => s.name === ".go.buildinfo");
  if (!section) return null;
  const blob = readBytes(fs, path, section.offset, Math.min(section.size, MAX_BLOB));
  if (!blob || blob.length < 32 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const strings = blob[15]! & 0x2 ? inlineStrings(blob) : pointedStrings(fs, path, elf, blob);
  if (!strings?.version.startsWith("go")) return null;
  const info = moduleInfo(strings.modinfo);
  return {
    version: strings.version,
    defaultGodebug: info.defaultGodebug,
    mainPath: info.mainPath,
    modules: info.modules,
    source: `${path} (Go build info)`,
    assumed: false,
  };
}

interface Section {
  name: string;
  addr: bigint;
  offset: number;
  size: number;
}

interface Elf {
  little: boolean;
  is64: boolean;
  sections: Section[];
}

function readElf(fs: HostFs, path: string): Elf | null {
  const head = readBytes(fs, path, 0, 64);
  if (!head || head.length < 52 || head.readUInt32BE(0) !== 0x7f454c46) return null;
  const is64 = head[4] === 2;
  const little = head[5] === 1;
  const u16 = (b: Buffer, o: number) => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number) => (little ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const word = (b: Buffer, o: number) => (is64 ? u64(b, o) : BigInt(u32(b, o)));
  const shoff = Number(word(head, is64 ? 0x28 : 0x20));
  const shentsize = u16(head, is64 ? 0x3a : 0x2e);
  const shnum = u16(head, is64 ? 0x3c : 0x30);
  const shstrndx = u16(head, is64 ? 0x3e : 0x32);
  if (shoff === 0 || shnum === 0 || shnum > 4096 || shentsize < (is64 ? 64 : 40)) return null;
  const table = readBytes(fs, path, shoff, shnum * shentsize);
  if (!table || table.length < shnum * shentsize) return null;
  const raw = Array.from({ length: shnum }, (_, i) => {
    const o = i * shentsize;
    return {
      nameOffset: u32(table, o),
      addr: word(table, o + (is64 ? 0x10 : 0x0c)),
      offset: Number(word(table, o + (is64 ? 0x18 : 0x10))),
      size: Number(word(table, o + (is64 ? 0x20 : 0x14))),
    };
  });
  const names = raw[shstrndx];
  const strtab = names ? readBytes(fs, path, names.offset, Math.min(names.size, MAX_BLOB)) : null;
  if (!strtab) return null;
  const sections = raw.map((s) => {
    const end = strtab.indexOf(0, s.nameOffset);
    return {
      name: strtab.toString("latin1", s.nameOffset, end < 0 ? undefined : end),
      addr: s.addr,
      offset: s.offset,
      size: s.size,
    };
  });
  return { little, is64, sections };
}

/** Go ≥ 1.18: uvarint length + bytes, twice, from offset 32. */
function inlineStrings(blob: Buffer): { version: string; modinfo: string } | null {
  const first = readVarString(blob, 32);
  if (!first) return null;
  const second = readVarString(blob, first.next);
  return { version: first.value, modinfo: second?.value ?? "" };
}

function readVarString(buf: Buffer, at: number): { value: string; next: number } | null {
  let length = 0;
  let shift = 0;
  let pos = at;
  for (;;) {
    const byte = buf[pos++];
    if (byte === undefined || shift > 28) return null;
    length |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  if (pos + length > buf.length) return null;
  return { value: buf.toString("utf8", pos, pos + length), next: pos + length };
}

/** Go < 1.18: two pointers (at 16 and 16+ptrSize) to Go string headers {data, len}. */
function pointedStrings(
  fs: HostFs,
  path: string,
  elf: Elf,
  blob: Buffer,
): { version: string; modinfo: string } | null {
  const ptrSize = blob[14];
  if (ptrSize !== 4 && ptrSize !== 8) return null;
  const readPtr = (b: Buffer, o: number): bigint =>
    ptrSize === 8
      ? elf.little
        ? b.readBigUInt64LE(o)
        : b.readBigUInt64BE(o)
      : BigInt(elf.little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const readAt = (addr: bigint, length: number): Buffer | null => {
    const s = elf.sections.find((x) => x.size > 0 && addr >= x.addr && addr < x.addr + BigInt(x.size));
    return s ? readBytes(fs, path, s.offset + Number(addr - s.addr), length) : null;
  };
  const goString = (headerAddr: bigint): string | null => {
    const header = readAt(headerAddr, 2 * ptrSize);
    if (!header || header.length < 2 * ptrSize) return null;
    const length = Number(readPtr(header, ptrSize));
    if (length > MAX_BLOB) return null;
    return readAt(readPtr(header, 0), length)?.toString("utf8") ?? null;
  };
  const version = goString(readPtr(blob, 16));
  if (version === null) return null;
  return { version, modinfo: goString(readPtr(blob, 16 + ptrSize)) ?? "" };
}

/** runtime/debug.ParseBuildInfo, the two lines needed: `path` and `build DefaultGODEBUG=`. */
function moduleInfo(raw: string): {
  mainPath: string | null;
  defaultGodebug: string | null;
  modules: Record<string, string>;
} {
  const text = raw.length >= 2 * SENTINEL_LENGTH + 1 ? raw.slice(SENTINEL_LENGTH, -SENTINEL_LENGTH) : raw;
  let mainPath: string | null = null;
  let defaultGodebug: string | null = null;
  const modules: Record<string, string> = {};
  let last: string | null = null;
  // runtime/debug BuildInfo.String(): "mod|dep\tPATH\tVERSION[\tSUM]", a replacement as "=>\tPATH\tVERSION[\tSUM]"
  // on the line after its dep.
  for (const line of text.split("\n")) {
    const [kind, ...rest] = line.split("\t");
    if (kind === "path" && rest[0]) mainPath = rest[0];
    if (kind === "build" && rest[0]?.startsWith("DefaultGODEBUG=")) {
      defaultGodebug = rest[0].slice("DefaultGODEBUG=".length);
    }
    if ((kind === "mod" || kind === "dep") && rest[0] && rest[1]) {
      modules[rest[0]] = rest[1];
      last = rest[0];
    } else if (kind === "=>" && last !== null && rest[1] && /^v\d/.test(rest[1])) {
      modules[last] = rest[1];
    }
  }
  return { mainPath, defaultGodebug, modules };
}

/**
 * Up to `length` bytes at `offset` of a regular file under the node root:
 * runtime binaries are larger than HostFs.readFile reads, and only a few
 * kilobytes of them are needed. The path is resolved by HostFs (symlinks stay
 * inside the root); the descriptor is checked to be a regular file.
 */
function readBytes(fs: HostFs, path: string, offset: number, length: number): Buffer | null {
  let fd: number | null = null;
  try {
    // A path that escapes the root or loops is unreadable here, not an error of the diagnosis.
    if (fs.stat(path)?.kind !== "file") return null;
    fd = openSync(fs.resolve(path), "r");
    if (!fstatSync(fd).isFile()) return null;
    const buf = Buffer.alloc(length);
    return buf.subarray(0, readSync(fd, buf, 0, length, offset));
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
