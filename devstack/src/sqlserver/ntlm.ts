// Windows authentication as a SQL Server on a domain member answers it: NTLM inside TDS SSPI tokens.
// LOGIN7 carries the client's NEGOTIATE, the server answers an SSPI token with a CHALLENGE, the client
// sends AUTHENTICATE in a TDS SSPI message (type 0x11), and the login succeeds only when the response
// proves the password ([MS-NLMP] 3.3.2, NTLMv2: NTOWFv2 = HMAC_MD5(MD4(UNICODE(password)),
// UNICODE(Uppercase(user) + domain))). The stand-in plays the domain controller too, holding one account.

import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { TdsProtocolError } from "./packet.ts";

export interface WindowsAccount {
  /** NetBIOS domain name, e.g. "FERRALLA" (matched case-insensitively). */
  domain: string;
  user: string;
  password: string;
}

const SIGNATURE = Buffer.from("NTLMSSP\0", "latin1");

export const NtlmMessageType = { Negotiate: 1, Challenge: 2, Authenticate: 3 } as const;

/** [MS-NLMP] 2.2.2.5 flags the CHALLENGE sets. */
const Flag = {
  Unicode: 0x00000001,
  RequestTarget: 0x00000004,
  Ntlm: 0x00000200,
  AlwaysSign: 0x00008000,
  TargetTypeDomain: 0x00010000,
  ExtendedSessionSecurity: 0x00080000,
  TargetInfo: 0x00800000,
  Version: 0x02000000,
  Key128: 0x20000000,
  Key56: 0x80000000,
} as const;

/** Unsigned: Key56 is bit 31, which JavaScript's `|` would turn into a sign. */
const CHALLENGE_FLAGS = (Flag.Unicode | Flag.RequestTarget | Flag.Ntlm | Flag.AlwaysSign |
  Flag.TargetTypeDomain | Flag.ExtendedSessionSecurity | Flag.TargetInfo | Flag.Version |
  Flag.Key128 | Flag.Key56) >>> 0;

/** AV_PAIR ids ([MS-NLMP] 2.2.2.1). */
const AvId = { Eol: 0, NbComputerName: 1, NbDomainName: 2, DnsComputerName: 3, DnsDomainName: 4 };

/** Windows 6.1 build 7601, NTLM revision 15: the VERSION field of a 2008 R2 server. */
const VERSION = Buffer.from([6, 1, 0xb1, 0x1d, 0, 0, 0, 15]);

/** The message type of an NTLM message, or a protocol error when it is not one. */
export function ntlmMessageType(message: Uint8Array): number {
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  if (bytes.length < 12 || !bytes.subarray(0, 8).equals(SIGNATURE)) {
    throw new TdsProtocolError("the SSPI data is not an NTLM message");
  }
  return bytes.readUInt32LE(8);
}

export interface NtlmChallenge {
  message: Buffer;
  serverChallenge: Buffer;
}

/** A CHALLENGE message for `domain`, with a fresh 8-byte server challenge. */
export function buildChallenge(domain: string, computerName: string): NtlmChallenge {
  const serverChallenge = randomBytes(8);
  const targetName = Buffer.from(domain.toUpperCase(), "utf16le");
  const avPair = (id: number, text: string) => {
    const value = Buffer.from(text, "utf16le");
    const header = Buffer.alloc(4);
    header.writeUInt16LE(id, 0);
    header.writeUInt16LE(value.length, 2);
    return Buffer.concat([header, value]);
  };
  const targetInfo = Buffer.concat([
    avPair(AvId.NbDomainName, domain.toUpperCase()),
    avPair(AvId.NbComputerName, computerName.toUpperCase()),
    avPair(AvId.DnsDomainName, `${domain.toLowerCase()}.local`),
    avPair(AvId.DnsComputerName, `${computerName.toLowerCase()}.${domain.toLowerCase()}.local`),
    Buffer.alloc(4, 0), // MsvAvEOL
  ]);
  const header = Buffer.alloc(56);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(NtlmMessageType.Challenge, 8);
  header.writeUInt16LE(targetName.length, 12);
  header.writeUInt16LE(targetName.length, 14);
  header.writeUInt32LE(56, 16);
  header.writeUInt32LE(CHALLENGE_FLAGS, 20);
  serverChallenge.copy(header, 24);
  header.writeUInt16LE(targetInfo.length, 40);
  header.writeUInt16LE(targetInfo.length, 42);
  header.writeUInt32LE(56 + targetName.length, 44);
  VERSION.copy(header, 48);
  return { message: Buffer.concat([header, targetName, targetInfo]), serverChallenge };
}

export interface NtlmAuthenticate {
  domain: string;
  user: string;
  workstation: string;
  lmResponse: Buffer;
  ntResponse: Buffer;
}

/** Reads an AUTHENTICATE message's fields ([MS-NLMP] 2.2.1.3). */
export function parseAuthenticate(message: Buffer): NtlmAuthenticate {
  if (ntlmMessageType(message) !== NtlmMessageType.Authenticate || message.length < 52) {
    throw new TdsProtocolError("expected an NTLM AUTHENTICATE message");
  }
  const field = (at: number): Buffer => {
    const length = message.readUInt16LE(at);
    const offset = message.readUInt32LE(at + 4);
    if (offset + length > message.length) {
      throw new TdsProtocolError(`NTLM AUTHENTICATE field at ${at} points past the message`);
    }
    return message.subarray(offset, offset + length);
  };
  return {
    lmResponse: field(12),
    ntResponse: field(20),
    domain: field(28).toString("utf16le"),
    user: field(36).toString("utf16le"),
    workstation: field(44).toString("utf16le"),
  };
}

/** NTOWFv2 ([MS-NLMP] 3.3.2). */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  const ntHash = createHash("md4").update(Buffer.from(password, "utf16le")).digest();
  return createHmac("md5", ntHash).update(Buffer.from(user.toUpperCase() + domain, "utf16le"))
    .digest();
}

/**
 * Whether an AUTHENTICATE proves `account`'s password for `serverChallenge`: the account and domain
 * match, and the LMv2 response (HMAC_MD5(NTOWFv2, server ‖ client challenge) ‖ client challenge) is
 * right; an NTLMv2 response longer than its 16-byte proof is checked too.
 */
export function verifyAuthenticate(
  authenticate: NtlmAuthenticate,
  serverChallenge: Buffer,
  account: WindowsAccount,
): boolean {
  if (
    authenticate.user.toUpperCase() !== account.user.toUpperCase() ||
    authenticate.domain.toUpperCase() !== account.domain.toUpperCase()
  ) {
    return false;
  }
  const key = ntowfv2(account.password, authenticate.user, authenticate.domain);
  const lm = authenticate.lmResponse;
  if (lm.length !== 24) return false;
  const clientChallenge = lm.subarray(16, 24);
  const lmProof = createHmac("md5", key).update(serverChallenge).update(clientChallenge).digest();
  if (!timingSafeEqual(lmProof, lm.subarray(0, 16))) return false;
  const nt = authenticate.ntResponse;
  if (nt.length > 16) {
    const ntProof = createHmac("md5", key).update(serverChallenge).update(nt.subarray(16)).digest();
    if (!timingSafeEqual(ntProof, nt.subarray(0, 16))) return false;
  }
  return true;
}
