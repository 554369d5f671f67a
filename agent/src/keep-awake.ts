// While a run is active the agent asks Windows to keep the PC awake, as a media player does: an office
// PC that goes to sleep mid-run stalls it, and commands sent meanwhile expire. SetThreadExecutionState
// (kernel32) with ES_CONTINUOUS | ES_SYSTEM_REQUIRED holds until it is called again with ES_CONTINUOUS
// alone, or the process ends; the display may still turn off. Elsewhere it does nothing: a Linux
// server is not expected to suspend by itself.
import { dlopen, FFIType } from "bun:ffi";

/** Takes the hold; returns the function that lets it go. */
export type KeepAwake = () => () => void;

const ES_CONTINUOUS = 0x80000000;
const ES_SYSTEM_REQUIRED = 0x00000001;

/** The flags each call passes: hold while running, then continuous alone to let go. */
export const EXECUTION_STATE = {
  hold: (ES_CONTINUOUS | ES_SYSTEM_REQUIRED) >>> 0,
  release: ES_CONTINUOUS >>> 0,
} as const;

/**
 * A KeepAwake over `setState` (SetThreadExecutionState): nested holds are counted, so the PC may
 * sleep only once every holder has let go; each release works once.
 */
export function keepAwakeWith(setState: (flags: number) => void): KeepAwake {
  let holders = 0;
  return () => {
    if (holders++ === 0) setState(EXECUTION_STATE.hold);
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      if (--holders === 0) setState(EXECUTION_STATE.release);
    };
  };
}

/** This machine's KeepAwake: kernel32's SetThreadExecutionState on Windows, nothing elsewhere. */
export function systemKeepAwake(platform = process.platform): KeepAwake {
  if (platform !== "win32") return keepAwakeWith(() => {});
  const kernel32 = dlopen("kernel32.dll", {
    SetThreadExecutionState: { args: [FFIType.u32], returns: FFIType.u32 },
  });
  return keepAwakeWith((flags) => {
    kernel32.symbols.SetThreadExecutionState(flags);
  });
}
