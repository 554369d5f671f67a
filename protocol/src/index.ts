// Puente's wire contracts, shared by the edge, the agent and the web. Types are inferred from the schemas.
export * from "./version.ts";
export * from "./common.ts";
export * from "./planilla-code.ts";
export * from "./placeholders.ts";
export * from "./commands.ts";
export * from "./command-rules.ts";
export * from "./runs.ts";
export * from "./batches.ts";
export * from "./events.ts";
export * from "./errors.ts";
