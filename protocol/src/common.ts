// Small shared schemas: identifiers, sources, bounded strings and the counts every ingest returns.
import { z } from "zod";

export const Uuid = z.uuid({ error: "must be a UUID" });

export const Source = z.enum(["ferrawin", "wispro"], {
  error: "source must be 'ferrawin' or 'wispro'",
});
export type Source = z.infer<typeof Source>;

/** A free-text field from a source system: bounded so one row can never blow up a batch. */
export const text = (max: number) =>
  z.string().max(max, { error: `longer than ${max} characters` });
export const optionalText = (max: number) => text(max).nullable().default(null);

export const Count = z.number().int().nonnegative();

/** What one ingest did to one kind of record. */
export const EntityCounts = z.object({
  created: Count.default(0),
  updated: Count.default(0),
  unchanged: Count.default(0),
  deleted: Count.default(0),
  rejected: Count.default(0),
}).strict();
export type EntityCounts = z.infer<typeof EntityCounts>;

/** Counts per kind of record; a source fills only the kinds it writes. */
export const RunCounts = z.object({
  planillas: EntityCounts.optional(),
  elementos: EntityCounts.optional(),
  entidades: EntityCounts.optional(),
  customers: EntityCounts.optional(),
}).strict();
export type RunCounts = z.infer<typeof RunCounts>;

export const IsoDateTime = z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time" });

export const currentYear = () => new Date().getUTCFullYear();
/** FerraWin years (ZCONTA): from 2000 to next year. */
export const Year = z.number().int({ error: "year must be a whole number" }).min(2000, {
  error: "year must be 2000 or later",
}).refine((y) => y <= currentYear() + 1, { error: "year is in the future" });
