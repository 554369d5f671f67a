// Names a failed connection for `doctor`: a name that does not resolve (DNS), a certificate this PC does
// not trust (TLS: often an antivirus or firewall inspecting HTTPS with the company's own CA), a proxy
// that is needed or refuses, or a server that is not there, each with what to do about it.
import { t } from "../i18n/i18n.ts";

export type NetworkFailure = "dns" | "tls" | "proxy" | "refused" | "timeout";

/** The error codes along `error`'s cause chain (ky wraps fetch's error, the agent wraps ky's). */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    const name = (e as { name?: unknown }).name;
    if (name === "TimeoutError") codes.push("ETIMEDOUT");
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

const DNS = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"]);
const TLS = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)/;

export function classifyNetworkError(error: unknown): NetworkFailure | null {
  const codes = codesOf(error);
  if (codes.some((c) => DNS.has(c))) return "dns";
  if (codes.some((c) => TLS.test(c))) return "tls";
  if (codes.some((c) => c === "ECONNREFUSED" || c === "ConnectionRefused")) return "refused";
  if (codes.some((c) => c === "ETIMEDOUT" || c === "UND_ERR_CONNECT_TIMEOUT")) return "timeout";
  return null;
}

/** What `doctor` prints for a connection to `host` that failed with `error`. */
export function networkHint(
  error: unknown,
  host: string,
  proxy: string | null = null,
): { kind: NetworkFailure | null; detail: string; fix: string } | null {
  const kind = classifyNetworkError(error);
  switch (kind) {
    case "dns":
      return { kind, detail: t("doctor.net.dns", { host }), fix: t("doctor.net.fixDns", { host }) };
    case "tls":
      return { kind, detail: t("doctor.net.tls", { host }), fix: t("doctor.net.fixTls") };
    case "refused":
    case "timeout":
      return proxy
        ? {
          kind: "proxy",
          detail: t(kind === "refused" ? "doctor.net.proxyRefused" : "doctor.net.proxyNoAnswer", {
            proxy,
          }),
          fix: t("doctor.net.fixProxy", { proxy, host }),
        }
        : {
          kind,
          detail: t(kind === "refused" ? "doctor.net.refused" : "doctor.net.noAnswer", { host }),
          fix: t("doctor.net.fixDirect"),
        };
    default:
      return null;
  }
}
