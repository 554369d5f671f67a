// A throwaway certificate authority and a server certificate signed by it, for the stand-in's TLS:
// clients verify the server as they would a real one (FERRAWIN_CA_FILE points at the CA), instead of
// trusting any certificate. Made with the system's openssl into a temporary directory.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface DevCertificates {
  /** PEM of the CA that signed the server certificate: what a client trusts. */
  caPem: string;
  /** Path of that CA file (inside `directory`). */
  caFile: string;
  /** PEM key and certificate of the server, valid for `hostNames`. */
  key: string;
  cert: string;
  directory: string;
  /** Deletes the directory. */
  remove(): void;
}

/** Creates the CA and a server certificate for `hostNames` (DNS names or IP addresses). */
export function createDevCertificates(
  hostNames: string[] = ["localhost", "127.0.0.1"],
): DevCertificates {
  const directory = mkdtempSync(join(tmpdir(), "puente-sqlserver-tls-"));
  const path = (name: string) => join(directory, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    openssl(
      "req",
      "-x509",
      ...ecKey,
      "-keyout",
      path("ca.key"),
      "-out",
      path("ca.crt"),
      "-days",
      "30",
      "-subj",
      "/CN=Puente devstack SQL Server CA",
    );
    openssl(
      "req",
      ...ecKey,
      "-keyout",
      path("server.key"),
      "-out",
      path("server.csr"),
      "-subj",
      `/CN=${hostNames[0]}`,
    );
    const names = hostNames.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`));
    writeFileSync(
      path("server.ext"),
      `subjectAltName=${names.join(",")}\nbasicConstraints=CA:FALSE\n` +
        "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    );
    openssl(
      "x509",
      "-req",
      "-in",
      path("server.csr"),
      "-CA",
      path("ca.crt"),
      "-CAkey",
      path("ca.key"),
      "-CAcreateserial",
      "-out",
      path("server.crt"),
      "-days",
      "30",
      "-extfile",
      path("server.ext"),
    );
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(
      `cannot create the devstack certificates with openssl${stderr ? `: ${stderr}` : ""} ` +
        "(apt-get install -y openssl)",
      { cause: error },
    );
  }
  return {
    caPem: readFileSync(path("ca.crt"), "utf8"),
    caFile: path("ca.crt"),
    key: readFileSync(path("server.key"), "utf8"),
    cert: readFileSync(path("server.crt"), "utf8"),
    directory,
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
