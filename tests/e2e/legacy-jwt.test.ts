// The browser suite against a devstack on the legacy path: user tokens HS256 with the JWT secret, and
// the anon and service_role JWTs as API keys (PUENTE_DEVSTACK_JWT=hs256).
import { webSuite } from "./web-suite.ts";

webSuite("hs256", "legacy-");
