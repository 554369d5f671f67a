import { describe, expect, test } from "bun:test";
import { ByteWriter } from "./byte-writer.ts";
import {
  parseTransactionOperation,
  UnsupportedTransactionOperationError,
  writeTransactionChange,
} from "./transactions.ts";

const ALL_HEADERS = [22, 0, 0, 0, 18, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0];

describe("parseTransactionOperation", () => {
  test("reads the operation code after ALL_HEADERS", () => {
    expect(parseTransactionOperation(Buffer.from([...ALL_HEADERS, 5, 0, 0, 0]))).toBe("begin");
    expect(parseTransactionOperation(Buffer.from([...ALL_HEADERS, 7, 0, 0, 0]))).toBe("commit");
    expect(parseTransactionOperation(Buffer.from([...ALL_HEADERS, 8, 0, 0, 0]))).toBe("rollback");
  });

  test("DTC operations are refused", () => {
    expect(() => parseTransactionOperation(Buffer.from([...ALL_HEADERS, 1, 0]))).toThrow(
      UnsupportedTransactionOperationError,
    );
  });
});

describe("writeTransactionChange", () => {
  test("begin carries the new descriptor, commit the old one", () => {
    const begin = new ByteWriter();
    writeTransactionChange(begin, "begin", 2n);
    expect([...begin.view()]).toEqual([0xe3, 11, 0, 8, 8, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
    const commit = new ByteWriter();
    writeTransactionChange(commit, "commit", 2n);
    expect([...commit.view()]).toEqual([0xe3, 11, 0, 9, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0]);
  });
});
