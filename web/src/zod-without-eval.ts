// Imported first by main.tsx: zod's object parser compiles itself with `new Function` when eval is
// allowed, and probes for it once. The panel's CSP forbids eval (web/src/csp.ts), and even the failed
// probe is reported as a violation, so zod is told never to try.
import { z } from "zod";

z.config({ jitless: true });
