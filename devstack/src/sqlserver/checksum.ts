// SQL Server's BINARY_CHECKSUM and CHECKSUM_AGG, as plain functions over bytes and ints. The FerraWin
// stand-in computes the same thing inside Postgres (../ferrawin/tsql-functions.ts); this module is the
// reference both are tested against.
//
// The algorithm is undocumented by Microsoft; it was reverse-engineered and published by Peter Larsson
// (sqlteam.com forum topic 70832, 2006; restated in sqltopia.com "CHECKSUM" internals): for each byte of
// the value's binary representation, the 32-bit state is rotated left by 4 bits and XORed with the byte.
// It reproduces the values published for SQL Server (see checksum.test.ts). Consequences the agent must
// live with: it is XOR-linear, a change at byte i and the same change at byte i+8·k… cancel out, and
// CHECKSUM_AGG (an XOR of the rows' checksums, NULLs ignored: Microsoft's CHECKSUM_AGG page) cancels
// equal changes in two rows.

/** BINARY_CHECKSUM over one byte string: rotate left 4, XOR the byte; the result as a signed int. */
export function binaryChecksum(bytes: Uint8Array): number {
  let state = 0;
  for (const byte of bytes) state = ((state << 4) | (state >>> 28)) ^ byte;
  return state | 0;
}

/**
 * The bytes BINARY_CHECKSUM reads from a varchar value: its code-page bytes (CP1252 under
 * Modern_Spanish_CI_AS) without trailing spaces; the function "returns the same value if the elements
 * of two lists have the same type and are equal when compared using the equals (=) operator"
 * (Microsoft's BINARY_CHECKSUM page), and `=` ignores trailing spaces.
 */
export function varcharChecksumBytes(value: string, encode: (s: string) => Uint8Array): Uint8Array {
  return encode(value.replace(/ +$/, ""));
}

/** CHECKSUM_AGG: the XOR of the non-NULL values; NULL when there are none. */
export function checksumAgg(values: Iterable<number | null>): number | null {
  let result: number | null = null;
  for (const value of values) {
    if (value === null) continue;
    result = ((result ?? 0) ^ value) | 0;
  }
  return result;
}
