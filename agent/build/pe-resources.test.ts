import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  decodeVersionInfo,
  encodeResourceSection,
  encodeVersionInfo,
  iconResources,
  peChecksum,
} from "./pe-resources.ts";

const info = {
  productName: "Puente Agent",
  companyName: "Puente",
  fileDescription: "Puente office agent — sincronización",
  fileVersion: "1.2.3.4",
};

describe("VS_VERSIONINFO", () => {
  test("encodes and reads back the strings and the fixed version", () => {
    const bytes = encodeVersionInfo(info);
    expect(new DataView(bytes.buffer).getUint16(0, true)).toBe(bytes.length);
    const decoded = decodeVersionInfo(bytes);
    expect(decoded.fileVersion).toBe("1.2.3.4");
    expect(decoded.strings).toMatchObject({
      ProductName: "Puente Agent",
      CompanyName: "Puente",
      FileDescription: "Puente office agent — sincronización",
      FileVersion: "1.2.3.4",
    });
  });

  test("refuses a version that is not four 16-bit numbers", () => {
    expect(() => encodeVersionInfo({ ...info, fileVersion: "1.2.3" })).toThrow("four numbers");
    expect(() => encodeVersionInfo({ ...info, fileVersion: "1.2.3.70000" })).toThrow();
  });
});

describe("icon and resource tree", () => {
  test("an .ico becomes RT_ICON images and one RT_GROUP_ICON that lists them", () => {
    const ico = new Uint8Array(readFileSync(join(import.meta.dir, "..", "assets", "puente.ico")));
    const resources = iconResources(ico);
    expect(resources.map((r) => [r.type, r.name])).toEqual([[3, 1], [14, 1]]);
    const group = new DataView(resources[1]!.data.buffer);
    expect(group.getUint16(4, true)).toBe(1); // one image
    expect(group.getUint32(6 + 8, true)).toBe(resources[0]!.data.length);
    expect(() => iconResources(new Uint8Array(6))).toThrow("not an .ico");
  });

  test("the section lists named entries before ids, and data entries hold RVAs in the section", () => {
    const rva = 0x10000;
    const section = encodeResourceSection([
      { type: 16, name: 1, language: 0x409, codePage: 0, data: new Uint8Array([1, 2, 3]) },
      { type: 14, name: "IDI_MAIN", language: 0x409, codePage: 0, data: new Uint8Array([4]) },
      { type: 3, name: 1, language: 0x409, codePage: 0, data: new Uint8Array([5, 6]) },
    ], rva);
    const view = new DataView(section.buffer);
    expect(view.getUint16(12, true)).toBe(0); // named types
    expect(view.getUint16(14, true)).toBe(3); // id types
    expect([0, 1, 2].map((i) => view.getUint32(16 + i * 8, true))).toEqual([3, 14, 16]);
    // Follow RT_VERSION down to its data.
    const names = view.getUint32(20 + 16, true) & 0x7fffffff;
    const languages = view.getUint32(names + 20, true) & 0x7fffffff;
    const entry = view.getUint32(languages + 20, true);
    const dataRva = view.getUint32(entry, true);
    expect(view.getUint32(entry + 4, true)).toBe(3);
    expect([...section.subarray(dataRva - rva, dataRva - rva + 3)]).toEqual([1, 2, 3]);
  });

  test("the PE checksum skips its own field and adds the length", () => {
    const bytes = new Uint8Array([1, 0, 2, 0, 0xff, 0xff, 0xff, 0xff, 3]);
    expect(peChecksum(bytes, 4)).toBe(1 + 2 + 3 + bytes.length);
  });
});
