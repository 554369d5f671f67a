// The `:id` of /agent/runs/:id/*: anything but a UUID cannot name a run, so it is a 404 before any work.
import { Uuid } from "../../../../protocol/src/index.ts";
import { ApiError } from "../../../_shared/errors.ts";

export function runIdParam(id: string | undefined): string {
  const parsed = Uuid.safeParse(id);
  if (!parsed.success) {
    throw new ApiError(404, "not_found", `no run ${id ?? ""}: run ids are UUIDs`);
  }
  return parsed.data;
}
