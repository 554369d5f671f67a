// Wispro client records for the stand-in: the raw shape Wispro returns, a fixture loader, and a
// deterministic generator of realistic Venezuelan data, including the messy cases the agent must handle.
import { readFileSync } from "node:fs";
import { seededRandom } from "../random.ts";

/** One client exactly as `GET /api/v1/clients` returns it (fields the stand-in knows about). */
export interface WisproClientRecord {
  id: string;
  public_id: number;
  custom_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  phone_mobile: string | null;
  national_identification_number: string | null;
  details: string | null;
  address: string | null;
  city: string | null;
  state: string | null;
  zone_name: string | null;
  created_at: string;
  updated_at: string;
  [extra: string]: unknown;
}

export class WisproFixtureInvalid extends Error {
  override name = "WisproFixtureInvalid";
  constructor(path: string, reason: string) {
    super(
      `Wispro fixture ${path} is not usable: ${reason}. It must be a JSON array of client objects.`,
    );
  }
}

/** Reads a fixture file: a JSON array of client objects as Wispro returns them. */
export function loadClientsFixture(path: string): WisproClientRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new WisproFixtureInvalid(path, (error as Error).message);
  }
  if (!Array.isArray(parsed)) throw new WisproFixtureInvalid(path, "the top level is not an array");
  parsed.forEach((item, index) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new WisproFixtureInvalid(path, `item ${index} is not an object`);
    }
  });
  return parsed as WisproClientRecord[];
}

const FIRST_NAMES = [
  "José",
  "María",
  "Luis",
  "Carmen",
  "Carlos",
  "Ana",
  "Juan",
  "Yolanda",
  "Pedro",
  "Rosa",
  "Jesús",
  "Yusmary",
  "Miguel",
  "Daniela",
  "Andrés",
  "Génesis",
  "Rafael",
  "Oriana",
  "Francisco",
  "Luisana",
];
const LAST_NAMES = [
  "González",
  "Rodríguez",
  "Pérez",
  "Hernández",
  "García",
  "Martínez",
  "López",
  "Díaz",
  "Sánchez",
  "Romero",
  "Rojas",
  "Moreno",
  "Medina",
  "Castillo",
  "Briceño",
  "Contreras",
  "Peña",
  "Chacón",
  "Villegas",
  "Ñáñez",
];
const COMPANIES = ["Inversiones", "Comercial", "Distribuidora", "Servicios", "Agropecuaria"];
const PLACES = [
  { city: "Caracas", state: "Distrito Capital", zones: ["Catia", "El Valle", "Chacao"] },
  { city: "Maracaibo", state: "Zulia", zones: ["La Limpia", "Bella Vista"] },
  { city: "Valencia", state: "Carabobo", zones: ["Naguanagua", "San Diego"] },
  { city: "Barquisimeto", state: "Lara", zones: ["Cabudare", "Centro"] },
  { city: "Mérida", state: "Mérida", zones: ["Ejido", "Tabay"] },
];
const MOBILE_PREFIXES = ["0412", "0414", "0416", "0424", "0426"];

function dotted(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

function slug(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z]/g, "");
}

/**
 * `n` clients from `seed`. Most are clean; the rest cover what real tenants hold: dotted ids
 * ("12.345.678"), "V-" already written, "V-V-" doubled, lowercase "v 8765432", the letter kept in
 * `details`, foreigners (E) and companies (J, RIF with check digit), missing ids, missing and shared
 * emails, the same id on two clients, and empty `custom_id`.
 */
export function generateClients(n: number, seed = 1): WisproClientRecord[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const digitsOf = (length: number) => {
    let out = String(1 + Math.floor(random() * 9));
    while (out.length < length) out += String(Math.floor(random() * 10));
    return out;
  };
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
    hex[12] = "4";
    hex[16] = (8 + Math.floor(random() * 4)).toString(16);
    const s = hex.join("");
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${
      s.slice(20)
    }`;
  };
  const base = Date.UTC(2018, 0, 1);
  const span = Date.UTC(2026, 0, 1) - base;
  const caracasTime = (ms: number) => {
    const local = new Date(ms - 4 * 3600_000).toISOString().slice(0, 19);
    return `${local}.000-04:00`;
  };

  const clients: WisproClientRecord[] = [];
  let previousEmail: string | null = null;
  let previousIdNumber: string | null = null;
  for (let i = 0; i < n; i++) {
    const isCompany = random() < 0.05;
    const isForeign = !isCompany && random() < 0.06;
    const first = pick(FIRST_NAMES);
    const last = `${pick(LAST_NAMES)} ${pick(LAST_NAMES)}`;
    const name = isCompany ? `${pick(COMPANIES)} ${pick(LAST_NAMES)} C.A.` : `${first} ${last}`;
    const digits = isCompany
      ? digitsOf(8)
      : isForeign
      ? digitsOf(8)
      : digitsOf(random() < 0.3 ? 7 : 8);
    const letter = isCompany ? "J" : isForeign ? "E" : "V";

    let idNumber: string | null;
    let details: string | null = random() < 0.5 ? null : "";
    const style = random();
    if (style < 0.03) idNumber = random() < 0.5 ? null : "";
    else if (isCompany) idNumber = `J-${digits}-${Math.floor(random() * 10)}`;
    else if (style < 0.35) idNumber = dotted(digits);
    else if (style < 0.5) idNumber = `${letter}-${digits}`;
    else if (style < 0.55) idNumber = `${letter}${dotted(digits)}`;
    else if (style < 0.58) idNumber = `${letter.toLowerCase()} ${digits}`;
    else if (style < 0.6) idNumber = `${letter}-${letter}-${digits}`;
    else if (style < 0.75) {
      idNumber = digits;
      details = random() < 0.8 ? letter : letter.toLowerCase();
    } else idNumber = digits;
    // A second Wispro client for the same person (another contract, another address).
    if (random() < 0.01 && previousIdNumber) idNumber = previousIdNumber;
    if (idNumber) previousIdNumber = idNumber;
    if (isForeign && idNumber !== null && /^[\d.]+$/.test(idNumber) && details !== "E") {
      details = "E";
    }
    if (details !== null && details !== "" && details.length > 1) details = null;
    if (random() < 0.1) details = "Cliente con antena en azotea";

    let email: string | null;
    const emailStyle = random();
    if (emailStyle < 0.08) email = random() < 0.5 ? null : "";
    else if (emailStyle < 0.12 && previousEmail) email = previousEmail;
    else {email = `${slug(first)}.${slug(last).slice(0, 10)}${i}@${
        pick(["gmail.com", "hotmail.com", "cantv.net"])
      }`;}
    if (email) previousEmail = email;

    const place = pick(PLACES);
    const created = base + Math.floor(random() * span);
    const updated = created + Math.floor(random() * 200 * 86_400_000);
    clients.push({
      id: uuid(),
      public_id: 1000 + i,
      custom_id: random() < 0.3 ? "" : `C-${String(1000 + i).padStart(6, "0")}`,
      name,
      email,
      phone: random() < 0.4 ? `0212-${digitsOf(7)}` : null,
      phone_mobile: random() < 0.1 ? "" : `${pick(MOBILE_PREFIXES)}-${digitsOf(7)}`,
      national_identification_number: idNumber,
      details,
      address: `Calle ${1 + Math.floor(random() * 40)}, casa ${1 + Math.floor(random() * 200)}`,
      city: place.city,
      state: place.state,
      zone_name: pick(place.zones),
      created_at: caracasTime(created),
      updated_at: caracasTime(Math.min(updated, base + span)),
    });
  }
  return clients;
}
