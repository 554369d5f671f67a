// The browser suite against a devstack that signs as a current Supabase project: ES256 user tokens with
// a `kid`, the JWKS at /auth/v1/.well-known/jwks.json, and sb_publishable_/sb_secret_ keys.
import { webSuite } from "./web-suite.ts";

webSuite("es256");
