// Windows identity for the compiled agent: writes a VS_VERSIONINFO resource (title, publisher, version,
// description) and an icon into a PE32+ executable, and reads them back. Bun's own --windows-* flags
// only work when compiling on Windows, and the build runs on Linux, so this does it from the formats
// themselves (Microsoft's "PE Format" specification, section 6.9 "The .rsrc Section", and the
// VS_VERSIONINFO / VS_FIXEDFILEINFO / ICO layouts documented in the Win32 API reference).
//
// How: the existing resource tree is read whole (the manifest and anything else stay), the version and
// icon resources are replaced, and the new tree goes into a new last section named .rsrc that the
// resource data directory then points at (the old one is renamed .oldrsrc and left unreferenced). No
// existing byte moves, so Bun's payload section (`.bun`) is untouched.

const RT_ICON = 3;
const RT_GROUP_ICON = 14;
const RT_VERSION = 16;
const LANG_EN_US = 0x0409;
const CODEPAGE_UNICODE = 1200;
const IMAGE_DIRECTORY_ENTRY_RESOURCE = 2;
const IMAGE_DIRECTORY_ENTRY_SECURITY = 4;
/** The new section takes the usual name; the old one is renamed, so tools that look up ".rsrc" by name agree. */
const SECTION_NAME = ".rsrc";
const OLD_SECTION_NAME = ".oldrsrc";
/** IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ, as .rsrc has. */
const SECTION_CHARACTERISTICS = 0x40000040;

export interface VersionInfo {
  /** ProductName: what Task Manager shows for the process. */
  productName: string;
  /** CompanyName. */
  companyName: string;
  /** FileDescription. */
  fileDescription: string;
  /** Four numbers, e.g. 1.2.3.0. */
  fileVersion: string;
  legalCopyright?: string;
  originalFilename?: string;
}

export interface Resource {
  type: number | string;
  name: number | string;
  language: number;
  codePage: number;
  data: Uint8Array;
}

interface Section {
  name: string;
  virtualSize: number;
  virtualAddress: number;
  rawSize: number;
  rawPointer: number;
  headerOffset: number;
}

interface PeLayout {
  optionalHeader: number;
  sectionCount: number;
  sectionTable: number;
  sectionAlignment: number;
  fileAlignment: number;
  sizeOfHeaders: number;
  dataDirectories: number;
  sections: Section[];
}

class PeError extends Error {}

function layoutOf(pe: Uint8Array): PeLayout {
  const view = new DataView(pe.buffer, pe.byteOffset, pe.byteLength);
  if (view.getUint16(0, true) !== 0x5a4d) throw new PeError("not a PE file (no MZ header)");
  const header = view.getUint32(0x3c, true);
  if (view.getUint32(header, true) !== 0x4550) throw new PeError("not a PE file (no PE signature)");
  const sectionCount = view.getUint16(header + 6, true);
  const optionalSize = view.getUint16(header + 20, true);
  const optionalHeader = header + 24;
  if (view.getUint16(optionalHeader, true) !== 0x20b) {
    throw new PeError("not a PE32+ (64-bit) file");
  }
  const sectionTable = optionalHeader + optionalSize;
  const sections: Section[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const at = sectionTable + i * 40;
    sections.push({
      name: new TextDecoder().decode(pe.subarray(at, at + 8)).replace(/\0+$/, ""),
      virtualSize: view.getUint32(at + 8, true),
      virtualAddress: view.getUint32(at + 12, true),
      rawSize: view.getUint32(at + 16, true),
      rawPointer: view.getUint32(at + 20, true),
      headerOffset: at,
    });
  }
  return {
    optionalHeader,
    sectionCount,
    sectionTable,
    sectionAlignment: view.getUint32(optionalHeader + 32, true),
    fileAlignment: view.getUint32(optionalHeader + 36, true),
    sizeOfHeaders: view.getUint32(optionalHeader + 60, true),
    dataDirectories: optionalHeader + 112,
    sections,
  };
}

function fileOffset(layout: PeLayout, rva: number): number {
  const section = layout.sections.find((s) =>
    rva >= s.virtualAddress && rva < s.virtualAddress + Math.max(s.virtualSize, s.rawSize)
  );
  if (!section) throw new PeError(`RVA 0x${rva.toString(16)} is in no section`);
  return rva - section.virtualAddress + section.rawPointer;
}

/** Every resource of a PE file, flattened from its type / name / language tree. */
export function readResources(pe: Uint8Array): Resource[] {
  const layout = layoutOf(pe);
  const view = new DataView(pe.buffer, pe.byteOffset, pe.byteLength);
  const rootRva = view.getUint32(layout.dataDirectories + IMAGE_DIRECTORY_ENTRY_RESOURCE * 8, true);
  if (rootRva === 0) return [];
  const root = fileOffset(layout, rootRva);
  const idOrName = (raw: number): number | string => {
    if (!(raw & 0x80000000)) return raw;
    const at = root + (raw & 0x7fffffff);
    const length = view.getUint16(at, true);
    return new TextDecoder("utf-16le").decode(pe.subarray(at + 2, at + 2 + length * 2));
  };
  const entries = (directory: number) => {
    const count = view.getUint16(directory + 12, true) + view.getUint16(directory + 14, true);
    return Array.from({ length: count }, (_, i) => ({
      id: idOrName(view.getUint32(directory + 16 + i * 8, true)),
      target: view.getUint32(directory + 20 + i * 8, true),
    }));
  };
  const resources: Resource[] = [];
  for (const type of entries(root)) {
    for (const name of entries(root + (type.target & 0x7fffffff))) {
      for (const language of entries(root + (name.target & 0x7fffffff))) {
        const entry = root + language.target;
        const dataRva = view.getUint32(entry, true);
        const size = view.getUint32(entry + 4, true);
        const at = fileOffset(layout, dataRva);
        resources.push({
          type: type.id,
          name: name.id,
          language: language.id as number,
          codePage: view.getUint32(entry + 8, true),
          data: pe.slice(at, at + size),
        });
      }
    }
  }
  return resources;
}

class Writer {
  bytes: number[] = [];
  get length() {
    return this.bytes.length;
  }
  u16(v: number) {
    this.bytes.push(v & 0xff, (v >> 8) & 0xff);
  }
  u32(v: number) {
    this.u16(v & 0xffff);
    this.u16((v >>> 16) & 0xffff);
  }
  utf16(text: string) {
    for (let i = 0; i < text.length; i++) this.u16(text.charCodeAt(i));
  }
  raw(data: Uint8Array | number[]) {
    for (const b of data) this.bytes.push(b);
  }
  align(n: number) {
    while (this.bytes.length % n) this.bytes.push(0);
  }
  set32(at: number, v: number) {
    const w = new Writer();
    w.u32(v);
    this.bytes.splice(at, 4, ...w.bytes);
  }
  set16(at: number, v: number) {
    this.bytes[at] = v & 0xff;
    this.bytes[at + 1] = (v >> 8) & 0xff;
  }
}

/** One node of the version resource: header, key, value and children, each aligned to 32 bits. */
function versionNode(
  key: string,
  value: { bytes: number[]; length: number; isText: boolean } | null,
  children: number[][] = [],
  isText = value?.isText ?? true,
): number[] {
  const w = new Writer();
  w.u16(0); // wLength, set below
  w.u16(value?.length ?? 0);
  w.u16(isText ? 1 : 0); // wType: 1 text, 0 binary
  w.utf16(key);
  w.u16(0);
  w.align(4);
  if (value) w.raw(value.bytes);
  for (const child of children) {
    w.align(4);
    w.raw(child);
  }
  w.set16(0, w.length);
  return w.bytes;
}

const textValue = (text: string) => {
  const w = new Writer();
  w.utf16(text);
  w.u16(0);
  return { bytes: w.bytes, length: text.length + 1, isText: true };
};

function versionNumbers(version: string): [number, number] {
  const parts = version.split(".").map((p) => Number.parseInt(p, 10));
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 0xffff)) {
    throw new PeError(`file version "${version}" must be four numbers 0–65535`);
  }
  return [((parts[0]! << 16) | parts[1]!) >>> 0, ((parts[2]! << 16) | parts[3]!) >>> 0];
}

/** The VS_VERSIONINFO resource's bytes. */
export function encodeVersionInfo(info: VersionInfo): Uint8Array {
  const [ms, ls] = versionNumbers(info.fileVersion);
  const fixed = new Writer();
  for (
    const v of [
      0xfeef04bd, // dwSignature
      0x00010000, // dwStrucVersion
      ms, // dwFileVersionMS
      ls,
      ms, // dwProductVersionMS
      ls,
      0x3f, // dwFileFlagsMask
      0, // dwFileFlags
      0x00040004, // dwFileOS: VOS_NT_WINDOWS32
      1, // dwFileType: VFT_APP
      0, // dwFileSubtype
      0, // dwFileDateMS
      0,
    ]
  ) fixed.u32(v);
  const strings: [string, string][] = [
    ["CompanyName", info.companyName],
    ["FileDescription", info.fileDescription],
    ["FileVersion", info.fileVersion],
    ["InternalName", info.productName],
    ["LegalCopyright", info.legalCopyright ?? ""],
    ["OriginalFilename", info.originalFilename ?? ""],
    ["ProductName", info.productName],
    ["ProductVersion", info.fileVersion],
  ];
  const table = versionNode(
    "040904B0", // en-US, Unicode: matches the Translation below
    null,
    strings.map(([key, value]) => versionNode(key, textValue(value))),
  );
  const stringFileInfo = versionNode("StringFileInfo", null, [table]);
  const translation = new Writer();
  translation.u16(LANG_EN_US);
  translation.u16(CODEPAGE_UNICODE);
  const varFileInfo = versionNode("VarFileInfo", null, [
    versionNode("Translation", { bytes: translation.bytes, length: 4, isText: false }),
  ]);
  return new Uint8Array(
    versionNode("VS_VERSION_INFO", { bytes: fixed.bytes, length: 52, isText: false }, [
      stringFileInfo,
      varFileInfo,
    ], false),
  );
}

/** Reads a VS_VERSIONINFO resource back: its fixed file version and its strings. */
export function decodeVersionInfo(data: Uint8Array): {
  fileVersion: string;
  strings: Record<string, string>;
} {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const align = (n: number) => (n + 3) & ~3;
  const keyAt = (at: number) => {
    let end = at + 6;
    while (view.getUint16(end, true) !== 0) end += 2;
    return { key: new TextDecoder("utf-16le").decode(data.subarray(at + 6, end)), after: end + 2 };
  };
  const root = keyAt(0);
  if (root.key !== "VS_VERSION_INFO") throw new PeError("not a VS_VERSIONINFO resource");
  const fixedAt = align(root.after);
  if (view.getUint32(fixedAt, true) !== 0xfeef04bd) throw new PeError("no VS_FIXEDFILEINFO");
  const ms = view.getUint32(fixedAt + 8, true);
  const ls = view.getUint32(fixedAt + 12, true);
  const strings: Record<string, string> = {};
  const walk = (start: number, end: number, depth: number) => {
    for (let at = start; at < end;) {
      const length = view.getUint16(at, true);
      if (length === 0) break;
      const valueLength = view.getUint16(at + 2, true);
      const { key, after } = keyAt(at);
      const valueAt = align(after);
      if (depth === 2) {
        strings[key] = new TextDecoder("utf-16le").decode(
          data.subarray(valueAt, valueAt + Math.max(0, valueLength - 1) * 2),
        );
      } else if (key === "StringFileInfo" || depth === 1) {
        walk(valueAt, at + length, depth + 1);
      }
      at = align(at + length);
    }
  };
  walk(align(fixedAt + 52), view.getUint16(0, true), 0);
  return {
    fileVersion: [ms >>> 16, ms & 0xffff, ls >>> 16, ls & 0xffff].join("."),
    strings,
  };
}

/** An .ico file's images as RT_ICON resources and the RT_GROUP_ICON directory that lists them. */
export function iconResources(ico: Uint8Array): Resource[] {
  const view = new DataView(ico.buffer, ico.byteOffset, ico.byteLength);
  if (view.getUint16(0, true) !== 0 || view.getUint16(2, true) !== 1) {
    throw new PeError("not an .ico file");
  }
  const count = view.getUint16(4, true);
  const group = new Writer();
  group.u16(0);
  group.u16(1);
  group.u16(count);
  const resources: Resource[] = [];
  for (let i = 0; i < count; i++) {
    const at = 6 + i * 16;
    const size = view.getUint32(at + 8, true);
    const offset = view.getUint32(at + 12, true);
    group.raw(ico.subarray(at, at + 8)); // width, height, colours, reserved, planes, bit count
    group.u32(size);
    group.u16(i + 1);
    resources.push({
      type: RT_ICON,
      name: i + 1,
      language: LANG_EN_US,
      codePage: 0,
      data: ico.slice(offset, offset + size),
    });
  }
  resources.push({
    type: RT_GROUP_ICON,
    name: 1,
    language: LANG_EN_US,
    codePage: 0,
    data: new Uint8Array(group.bytes),
  });
  return resources;
}

/** The resource section's bytes for `resources`, laid out for the RVA `sectionRva`. */
export function encodeResourceSection(resources: Resource[], sectionRva: number): Uint8Array {
  const key = (
    id: number | string,
  ) => (typeof id === "string" ? `0${id}` : `1${String(id).padStart(10, "0")}`);
  const byKey = <T>(items: T[], id: (t: T) => number | string) => {
    const groups = new Map<string, { id: number | string; items: T[] }>();
    for (const item of items) {
      const k = key(id(item));
      if (!groups.has(k)) groups.set(k, { id: id(item), items: [] });
      groups.get(k)!.items.push(item);
    }
    // Named entries first (in order), then ids ascending: the order the format requires.
    return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
  };
  const w = new Writer();
  const stringPatches: { at: number; text: string }[] = [];
  const dataPatches: { at: number; resource: Resource }[] = [];
  const directory = (
    groups: { id: number | string; items: unknown[] }[],
  ): { patches: number[] } => {
    const named = groups.filter((g) => typeof g.id === "string").length;
    w.u32(0); // characteristics
    w.u32(0); // timestamp
    w.u32(0); // version
    w.u16(named);
    w.u16(groups.length - named);
    const patches: number[] = [];
    for (const group of groups) {
      if (typeof group.id === "string") stringPatches.push({ at: w.length, text: group.id });
      w.u32(typeof group.id === "number" ? group.id : 0);
      patches.push(w.length);
      w.u32(0);
    }
    return { patches };
  };
  const types = byKey(resources, (r) => r.type);
  const typeDir = directory(types);
  types.forEach((type, t) => {
    w.set32(typeDir.patches[t]!, (0x80000000 | w.length) >>> 0);
    const names = byKey(type.items, (r) => r.name);
    const nameDir = directory(names);
    names.forEach((name, n) => {
      w.set32(nameDir.patches[n]!, (0x80000000 | w.length) >>> 0);
      const languages = byKey(name.items, (r) => r.language);
      const languageDir = directory(languages);
      languages.forEach((language, l) => {
        w.set32(languageDir.patches[l]!, w.length);
        dataPatches.push({ at: w.length, resource: language.items[0]! });
        w.u32(0);
        w.u32(0);
        w.u32(0);
        w.u32(0);
      });
    });
  });
  for (const patch of stringPatches) {
    w.set32(patch.at, (0x80000000 | w.length) >>> 0);
    w.u16(patch.text.length);
    w.utf16(patch.text);
  }
  for (const patch of dataPatches) {
    w.align(8);
    w.set32(patch.at, sectionRva + w.length);
    w.set32(patch.at + 4, patch.resource.data.length);
    w.set32(patch.at + 8, patch.resource.codePage);
    w.raw(patch.resource.data);
  }
  w.align(8);
  return new Uint8Array(w.bytes);
}

const alignUp = (n: number, to: number) => Math.ceil(n / to) * to;

/**
 * Returns a copy of `pe` whose resources are its own minus any version and icon resources, plus
 * `info` as VS_VERSIONINFO and `ico` as the application icon, in a new last section.
 */
export function setWindowsIdentity(pe: Uint8Array, info: VersionInfo, ico: Uint8Array): Uint8Array {
  const layout = layoutOf(pe);
  const view = new DataView(pe.buffer, pe.byteOffset, pe.byteLength);
  if (view.getUint32(layout.dataDirectories + IMAGE_DIRECTORY_ENTRY_SECURITY * 8 + 4, true) !== 0) {
    // A signature covers the whole file: it has to be added after this, never before.
    throw new PeError("the file is already signed; set its identity before signing it");
  }
  const last = layout.sections.reduce((a, b) => (b.virtualAddress > a.virtualAddress ? b : a));
  const fileEnd = Math.max(...layout.sections.map((s) => s.rawPointer + s.rawSize));
  if (fileEnd !== pe.length) throw new PeError("the file has data after its last section");
  if (layout.sectionTable + (layout.sectionCount + 1) * 40 > layout.sizeOfHeaders) {
    throw new PeError("no room in the headers for another section");
  }
  const sectionRva = alignUp(last.virtualAddress + last.virtualSize, layout.sectionAlignment);
  const kept = readResources(pe).filter(
    (r) => r.type !== RT_VERSION && r.type !== RT_ICON && r.type !== RT_GROUP_ICON,
  );
  const body = encodeResourceSection([
    ...kept,
    ...iconResources(ico),
    {
      type: RT_VERSION,
      name: 1,
      language: LANG_EN_US,
      codePage: 0,
      data: encodeVersionInfo(info),
    },
  ], sectionRva);
  const rawPointer = alignUp(pe.length, layout.fileAlignment);
  const rawSize = alignUp(body.length, layout.fileAlignment);
  const out = new Uint8Array(rawPointer + rawSize);
  out.set(pe);
  out.set(body, rawPointer);
  const o = new DataView(out.buffer);
  const header = layout.sectionTable + layout.sectionCount * 40;
  for (const section of layout.sections.filter((s) => s.name === SECTION_NAME)) {
    out.set(new TextEncoder().encode(OLD_SECTION_NAME.padEnd(8, "\0")), section.headerOffset);
  }
  out.set(new TextEncoder().encode(SECTION_NAME.padEnd(8, "\0")), header);
  o.setUint32(header + 8, body.length, true);
  o.setUint32(header + 12, sectionRva, true);
  o.setUint32(header + 16, rawSize, true);
  o.setUint32(header + 20, rawPointer, true);
  o.setUint32(header + 36, SECTION_CHARACTERISTICS, true);
  const coffHeader = layout.optionalHeader - 20;
  o.setUint16(coffHeader + 2, layout.sectionCount + 1, true);
  const initialized = o.getUint32(layout.optionalHeader + 8, true);
  o.setUint32(layout.optionalHeader + 8, initialized + rawSize, true);
  o.setUint32(
    layout.optionalHeader + 56, // SizeOfImage
    alignUp(sectionRva + body.length, layout.sectionAlignment),
    true,
  );
  o.setUint32(layout.dataDirectories + IMAGE_DIRECTORY_ENTRY_RESOURCE * 8, sectionRva, true);
  o.setUint32(layout.dataDirectories + IMAGE_DIRECTORY_ENTRY_RESOURCE * 8 + 4, body.length, true);
  o.setUint32(layout.optionalHeader + 64, peChecksum(out, layout.optionalHeader + 64), true);
  return out;
}

/** The optional header's CheckSum: 16-bit one's-complement sum of the file plus its length. */
export function peChecksum(pe: Uint8Array, checksumOffset: number): number {
  const view = new DataView(pe.buffer, pe.byteOffset, pe.byteLength);
  let sum = 0;
  for (let at = 0; at < pe.length; at += 2) {
    if (at === checksumOffset || at === checksumOffset + 2) continue;
    sum += at + 1 < pe.length ? view.getUint16(at, true) : pe[at]!;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  sum = (sum & 0xffff) + (sum >>> 16);
  return (sum + pe.length) >>> 0;
}

/** The version strings and the icon count of a PE file, as Explorer's Details tab reads them. */
export function readWindowsIdentity(pe: Uint8Array): {
  fileVersion: string;
  strings: Record<string, string>;
  icons: number;
} {
  const resources = readResources(pe);
  const version = resources.find((r) => r.type === RT_VERSION);
  if (!version) throw new PeError("the file has no version resource");
  const groups = resources.filter((r) => r.type === RT_GROUP_ICON);
  return { ...decodeVersionInfo(version.data), icons: groups.length };
}
