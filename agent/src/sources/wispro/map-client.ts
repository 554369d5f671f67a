// Maps Wispro client records to the protocol's `Customer` rows, or to `SourceReject`s when a record
// cannot be stored. Pure: one bad record becomes one reject and never fails its page.
import { Customer, formatIssues, SourceReject } from "@puente/protocol";
import { type NationalityLetter, normaliseIdNumber } from "./id-number.ts";

export interface MappingOptions {
  /** The letter used when neither the id nor `details` carries one. Default `V`. */
  defaultLetter?: NationalityLetter;
}

export type MappedClient =
  | { ok: true; customer: Customer }
  | { ok: false; reject: SourceReject };

export interface MappedPage {
  customers: Customer[];
  rejects: SourceReject[];
}

const MAX_DETAIL = 1000;

/** Trimmed text, with "" and null as null; numbers become text; anything else is left for the schema to refuse. */
function optionalText(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

function publicId(value: unknown): unknown {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return Number(value.trim());
  return value;
}

function recordKey(record: Record<string, unknown>): string {
  const id = record.id ?? record.public_id;
  return typeof id === "string" || typeof id === "number" ? String(id).slice(0, 200) : "(no id)";
}

function reject(
  record: unknown,
  reason: SourceReject["reason"],
  detail: string,
): MappedClient {
  const isObject = typeof record === "object" && record !== null && !Array.isArray(record);
  return {
    ok: false,
    reject: SourceReject.parse({
      record_key: isObject ? recordKey(record as Record<string, unknown>) : "(not an object)",
      reason,
      detail: detail.slice(0, MAX_DETAIL),
      payload: isObject ? record : { value: record },
    }),
  };
}

export function mapClient(record: unknown, options: MappingOptions = {}): MappedClient {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    return reject(record, "invalid_record", "the client record is not a JSON object");
  }
  const raw = record as Record<string, unknown>;
  const idNumber = normaliseIdNumber(
    raw.national_identification_number,
    raw.details,
    options.defaultLetter ?? "V",
  );
  if (idNumber.kind === "missing") {
    return reject(
      raw,
      "missing_id_number",
      "the client has no national identification number in Wispro",
    );
  }
  if (idNumber.kind === "unreadable") {
    return reject(
      raw,
      "invalid_record",
      `national_identification_number "${
        String(raw.national_identification_number)
      }" is not usable: ${idNumber.reason}`,
    );
  }

  const parsed = Customer.safeParse({
    wispro_id: typeof raw.id === "string" ? raw.id.trim() : raw.id,
    public_id: publicId(raw.public_id),
    custom_id: optionalText(raw.custom_id),
    name: optionalText(raw.name) ?? "",
    email: optionalText(raw.email),
    phone: optionalText(raw.phone),
    phone_mobile: optionalText(raw.phone_mobile),
    national_id_raw: optionalText(raw.national_identification_number),
    id_number: idNumber.idNumber,
    zone: optionalText(raw.zone_name),
    address: optionalText(raw.address),
    city: optionalText(raw.city),
    details: optionalText(raw.details),
    wispro_created_at: optionalText(raw.created_at),
    wispro_updated_at: optionalText(raw.updated_at),
  });
  if (!parsed.success) return reject(raw, "invalid_record", formatIssues(parsed.error));
  return { ok: true, customer: parsed.data };
}

/** Maps one page; a client that appears twice in the page is stored once and the repeat rejected. */
export function mapClientsPage(
  records: readonly unknown[],
  options: MappingOptions = {},
): MappedPage {
  const page: MappedPage = { customers: [], rejects: [] };
  const seen = new Set<string>();
  for (const record of records) {
    const mapped = mapClient(record, options);
    if (!mapped.ok) {
      page.rejects.push(mapped.reject);
    } else if (seen.has(mapped.customer.wispro_id)) {
      const repeat = reject(
        record,
        "invalid_record",
        "the same Wispro client appears twice in one page",
      );
      if (!repeat.ok) page.rejects.push(repeat.reject);
    } else {
      seen.add(mapped.customer.wispro_id);
      page.customers.push(mapped.customer);
    }
  }
  return page;
}
