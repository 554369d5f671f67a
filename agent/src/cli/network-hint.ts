// Names a failed connection for `doctor`: a name that does not resolve (DNS), a certificate this PC does
// not trust (TLS: often an antivirus or firewall inspecting HTTPS with the company's own CA), a proxy
// that is needed or refuses, or a server that is not there, each with what to do about it.

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
  const through = proxy ? ` through the proxy ${proxy}` : "";
  switch (kind) {
    case "dns":
      return {
        kind,
        detail: `DNS: ${host} does not resolve`,
        fix: "check the host name in the URL and this PC's DNS (nslookup " + host + ")",
      };
    case "tls":
      return {
        kind,
        detail: `TLS: the certificate ${host} presented is not trusted by this PC`,
        fix: "an antivirus or firewall that inspects HTTPS must have its CA in the Windows " +
          "certificate store (the agent trusts that store); or exclude this host from inspection",
      };
    case "refused":
    case "timeout":
      return proxy
        ? {
          kind: "proxy",
          detail: `${kind === "refused" ? "refused" : "no answer"}${through}`,
          fix: `check the proxy address ${proxy}, or that it allows ${host}`,
        }
        : {
          kind,
          detail: `${kind === "refused" ? "connection refused by" : "no answer from"} ${host}`,
          fix: "check the URL and port; if this network only goes out through a proxy, set " +
            "PUENTE_PROXY in the .env (the service runs as SYSTEM, which does not see a user's proxy)",
        };
    default:
      return null;
  }
}
