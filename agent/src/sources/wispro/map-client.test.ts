import { describe, expect, test } from "bun:test";
import { CustomerBatch } from "@puente/protocol";
import { mapClient, mapClientsPage } from "./map-client.ts";

const wisproClient = (overrides: Record<string, unknown> = {}) => ({
  id: "0b7a4c1e-2f1d-4a8e-9c3b-5d6e7f8a9b0c",
  public_id: 1042,
  custom_id: "C-001042",
  name: "  José Pérez Rojas ",
  email: "jose.perez@gmail.com",
  phone: "0212-5551234",
  phone_mobile: "0414-1234567",
  national_identification_number: "12.345.678",
  details: "V",
  address: "Calle 5, casa 12",
  city: "Caracas",
  state: "Distrito Capital",
  zone_name: "Catia",
  created_at: "2023-05-10T14:22:31.000-04:00",
  updated_at: "2024-01-02T09:00:00.000-04:00",
  ...overrides,
});

function customerOf(overrides: Record<string, unknown> = {}) {
  const mapped = mapClient(wisproClient(overrides));
  if (!mapped.ok) throw new Error(`expected a customer, got ${JSON.stringify(mapped.reject)}`);
  return mapped.customer;
}

function rejectOf(record: unknown) {
  const mapped = mapClient(record);
  if (mapped.ok) throw new Error(`expected a reject, got ${JSON.stringify(mapped.customer)}`);
  return mapped.reject;
}

describe("mapClient", () => {
  test("maps every field to its column", () => {
    expect(customerOf()).toEqual({
      wispro_id: "0b7a4c1e-2f1d-4a8e-9c3b-5d6e7f8a9b0c",
      public_id: 1042,
      custom_id: "C-001042",
      name: "José Pérez Rojas",
      email: "jose.perez@gmail.com",
      phone: "0212-5551234",
      phone_mobile: "0414-1234567",
      national_id_raw: "12.345.678",
      id_number: "V-12345678",
      zone: "Catia",
      address: "Calle 5, casa 12",
      city: "Caracas",
      details: "V",
      wispro_created_at: "2023-05-10T14:22:31.000-04:00",
      wispro_updated_at: "2024-01-02T09:00:00.000-04:00",
    });
  });

  test("empty strings become null: custom_id, email, phones, details", () => {
    const customer = customerOf({
      custom_id: "",
      email: "  ",
      phone: "",
      phone_mobile: null,
      details: "",
    });
    expect(customer.custom_id).toBeNull();
    expect(customer.email).toBeNull();
    expect(customer.phone).toBeNull();
    expect(customer.phone_mobile).toBeNull();
    expect(customer.details).toBeNull();
  });

  test("a missing email is fine", () => {
    expect(customerOf({ email: undefined }).email).toBeNull();
  });

  test("the letter in details is used, the one in the id wins over it", () => {
    expect(customerOf({ national_identification_number: "84123456", details: "e" }).id_number).toBe(
      "E-84123456",
    );
    expect(customerOf({ national_identification_number: "V-V-8765432", details: "E" }).id_number)
      .toBe("V-8765432");
  });

  test("the configured default letter applies when nothing else says", () => {
    const mapped = mapClient(wisproClient({ details: "Cliente VIP" }), { defaultLetter: "E" });
    expect(mapped.ok && mapped.customer.id_number).toBe("E-12345678");
  });

  test("a numeric custom_id and a public_id sent as text are read", () => {
    const customer = customerOf({ custom_id: 77, public_id: "1043" });
    expect(customer.custom_id).toBe("77");
    expect(customer.public_id).toBe(1043);
  });

  test("no id number rejects as missing_id_number, keyed by the Wispro id", () => {
    for (const id of [null, "", "N/A"]) {
      const reject = rejectOf(wisproClient({ national_identification_number: id }));
      expect(reject.reason).toBe("missing_id_number");
      expect(reject.record_key).toBe("0b7a4c1e-2f1d-4a8e-9c3b-5d6e7f8a9b0c");
      expect(reject.payload?.public_id).toBe(1042);
    }
  });

  test("an id that is not a cédula or RIF is an invalid_record that says why", () => {
    const reject = rejectOf(wisproClient({ national_identification_number: "12345678A" }));
    expect(reject.reason).toBe("invalid_record");
    expect(reject.detail).toContain("12345678A");
  });

  test("a record the Customer schema refuses becomes invalid_record with zod's message", () => {
    const badUuid = rejectOf(wisproClient({ id: "not-a-uuid" }));
    expect(badUuid).toMatchObject({ reason: "invalid_record", record_key: "not-a-uuid" });
    expect(badUuid.detail).toContain("wispro_id must be a UUID");

    const badDate = rejectOf(wisproClient({ created_at: "ayer" }));
    expect(badDate.detail).toContain("wispro_created_at");

    const tooLong = rejectOf(wisproClient({ details: "x".repeat(2001) }));
    expect(tooLong.detail).toContain("details");
  });

  test("something that is not an object is rejected, not thrown", () => {
    expect(rejectOf("hello").reason).toBe("invalid_record");
    expect(rejectOf(null).record_key).toBe("(not an object)");
  });
});

describe("mapClientsPage", () => {
  test("one bad record never fails the page, and the page is a valid CustomerBatch", () => {
    const page = mapClientsPage([
      wisproClient(),
      wisproClient({
        id: "1b7a4c1e-2f1d-4a8e-9c3b-5d6e7f8a9b0c",
        national_identification_number: "",
      }),
      wisproClient({ id: "2b7a4c1e-2f1d-4a8e-9c3b-5d6e7f8a9b0c", created_at: 12 }),
      wisproClient({
        id: "3b7a4c1e-2f1d-4a8e-9c3b-5d6e7f8a9b0c",
        national_identification_number: "E-1",
      }),
    ]);
    expect(page.customers.map((c) => c.id_number)).toEqual(["V-12345678", "E-1"]);
    expect(page.rejects.map((r) => r.reason)).toEqual(["missing_id_number", "invalid_record"]);
    const batch = CustomerBatch.safeParse({ seq: 0, kind: "customers", page: 1, ...page });
    expect(batch.success).toBe(true);
  });

  test("a client repeated in one page is kept once and the repeat rejected", () => {
    const page = mapClientsPage([wisproClient(), wisproClient({ name: "Otro" })]);
    expect(page.customers).toHaveLength(1);
    expect(page.rejects).toHaveLength(1);
    expect(page.rejects[0]?.detail).toContain("twice");
  });
});
