// Modes for what the agent writes on disk: logs, run state and .env are readable by their owner only
// (on Linux; Windows ignores these modes, and the install folder's ACL protects them there).
// Modes apply when a file or folder is created; the umask can only take bits away.

/** rw------- */
export const OWNER_ONLY_FILE = 0o600;
/** rwx------ */
export const OWNER_ONLY_DIR = 0o700;
