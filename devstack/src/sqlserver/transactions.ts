// Transaction Manager requests (tedious's beginTransaction/commitTransaction/rollbackTransaction).
// The stand-in serves read-only fixtures, so a transaction is acknowledged, not enforced.

import { ByteWriter } from "./byte-writer.ts";
import { TdsProtocolError } from "./packet.ts";
import { EnvChangeType, TokenType } from "./tokens.ts";

export type TransactionOperation = "begin" | "commit" | "rollback" | "save";

const OPERATIONS: Record<number, TransactionOperation> = {
  5: "begin",
  7: "commit",
  8: "rollback",
  9: "save",
};

/** An operation the stand-in does not implement (DTC enlistment, promotion). */
export class UnsupportedTransactionOperationError extends Error {
  constructor(code: number) {
    super(`transaction manager operation ${code} is not supported by the SQL Server stand-in`);
    this.name = "UnsupportedTransactionOperationError";
  }
}

/** ALL_HEADERS, then the operation code (the name and isolation level that follow do not matter here). */
export function parseTransactionOperation(payload: Buffer): TransactionOperation {
  if (payload.length < 4) throw new TdsProtocolError("transaction manager request is truncated");
  const headersLength = payload.readUInt32LE(0);
  if (headersLength < 4 || payload.length < headersLength + 2) {
    throw new TdsProtocolError("transaction manager request is truncated");
  }
  const code = payload.readUInt16LE(headersLength);
  const operation = OPERATIONS[code];
  if (!operation) throw new UnsupportedTransactionOperationError(code);
  return operation;
}

/** ENVCHANGE 8/9/10 with 8-byte transaction descriptors as B_VARBYTE (empty when absent). */
export function writeTransactionChange(
  w: ByteWriter,
  operation: "begin" | "commit" | "rollback",
  descriptor: bigint,
): void {
  const bytes = new ByteWriter(8).u64le(descriptor).toBuffer();
  const type = operation === "begin"
    ? EnvChangeType.BeginTransaction
    : operation === "commit"
    ? EnvChangeType.CommitTransaction
    : EnvChangeType.RollbackTransaction;
  const [newValue, oldValue] = operation === "begin"
    ? [bytes, Buffer.alloc(0)]
    : [Buffer.alloc(0), bytes];
  w.u8(TokenType.EnvChange).u16le(1 + 1 + newValue.length + 1 + oldValue.length);
  w.u8(type).u8(newValue.length).bytes(newValue).u8(oldValue.length).bytes(oldValue);
}
