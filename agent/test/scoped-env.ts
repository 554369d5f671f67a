// Bun's fetch reads HTTP(S)_PROXY and NO_PROXY from process.env at each request. Tests that watch
// what a direct connection does (a DNS failure, a TLS error) or that route through a proxy of their own
// set these for their own duration only, whatever the machine running them has (CI blocks downloads
// with a proxy on a closed port and exempts loopback with NO_PROXY).
const PROXY_VARIABLES = [
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_PROXY",
  "no_proxy",
];

/** Clears the proxy variables (keeping `keep`) until the returned function puts them back. */
export function withoutProxyVariables(keep: string[] = []): () => void {
  const saved = new Map<string, string | undefined>();
  for (const name of PROXY_VARIABLES.filter((n) => !keep.includes(n))) {
    saved.set(name, process.env[name]);
    delete process.env[name];
  }
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
