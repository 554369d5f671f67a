// The .env file format: reading it into a record and writing one back (used by config and `init`).

/** Parses `KEY=value` lines; `#` comments, `export ` prefixes and single or double quotes are accepted. */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const key = match[1]!;
    let value = match[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
      value = value.slice(1, -1);
      if (quote === '"') {
        value = value.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
      }
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    values[key] = value;
  }
  return values;
}

/** Writes values as a .env file, quoting anything that would not read back verbatim. */
export function formatDotenv(values: Record<string, string>, header?: string): string {
  const lines = header ? header.split("\n").map((l) => `# ${l}`) : [];
  for (const [key, value] of Object.entries(values)) {
    const isPlain = /^[A-Za-z0-9_./:@+,-]*$/.test(value);
    const quoted = `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
    lines.push(`${key}=${isPlain ? value : quoted}`);
  }
  return `${lines.join("\n")}\n`;
}
