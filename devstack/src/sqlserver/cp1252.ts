// Windows-1252 text conversion for varchar/text values (the stand-in's collation is
// SQL_Latin1_General_CP1_CI_AS, code page 1252).

// Code points of bytes 0x80..0x9F; 0 marks the five bytes the code page leaves undefined.
const HIGH_CONTROL_RANGE = [
  0x20ac,
  0,
  0x201a,
  0x0192,
  0x201e,
  0x2026,
  0x2020,
  0x2021,
  0x02c6,
  0x2030,
  0x0160,
  0x2039,
  0x0152,
  0,
  0x017d,
  0,
  0,
  0x2018,
  0x2019,
  0x201c,
  0x201d,
  0x2022,
  0x2013,
  0x2014,
  0x02dc,
  0x2122,
  0x0161,
  0x203a,
  0x0153,
  0,
  0x017e,
  0x0178,
];

const byteByCodePoint = new Map<number, number>();
HIGH_CONTROL_RANGE.forEach((codePoint, index) => {
  if (codePoint !== 0) byteByCodePoint.set(codePoint, 0x80 + index);
});

const QUESTION_MARK = 0x3f;

/** Encodes text as CP1252; characters outside the code page become "?", as SQL Server does. */
const OUTSIDE_LATIN1_PRINTABLE = /[\u0080-\u009f\u0100-\uffff]/;

export function encodeCp1252(text: string): Buffer {
  // Most text is ASCII or Latin-1 letters, which CP1252 shares byte for byte.
  if (!OUTSIDE_LATIN1_PRINTABLE.test(text)) return Buffer.from(text, "latin1");
  const out = Buffer.allocUnsafe(text.length);
  let length = 0;
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    if (codePoint < 0x80 || (codePoint >= 0xa0 && codePoint <= 0xff)) {
      out[length++] = codePoint;
    } else {
      out[length++] = byteByCodePoint.get(codePoint) ?? QUESTION_MARK;
    }
  }
  return out.subarray(0, length);
}

/** Decodes CP1252 bytes; undefined bytes map to the same-numbered control character. */
export function decodeCp1252(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) {
    const mapped = byte >= 0x80 && byte <= 0x9f ? HIGH_CONTROL_RANGE[byte - 0x80] : 0;
    text += String.fromCharCode(mapped || byte);
  }
  return text;
}
