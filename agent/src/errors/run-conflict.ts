// RunConflict: the server refused to open a run (409) because this agent already has one running.

export class RunConflict extends Error {
  override readonly name = "RunConflict";
  readonly code = "run_conflict";
  constructor(serverMessage: string) {
    super(
      `another run of this agent is already running (${serverMessage}). Wait for it to finish, ` +
        "or pause or cancel it from the panel.",
    );
  }
}
