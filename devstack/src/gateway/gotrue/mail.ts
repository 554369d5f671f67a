// The devstack's mail catcher, as `supabase start` runs Mailpit beside GoTrue: every email GoTrue would
// send (invites, password recovery) is kept in memory and served with Mailpit's API shape, so tests
// read the link a customer would click. Served by the gateway under /__mail (see devstack/README.md).
import { randomUUID } from "node:crypto";

export interface Mail {
  ID: string;
  From: { Name: string; Address: string };
  To: { Name: string; Address: string }[];
  Subject: string;
  Created: string;
  Text: string;
  HTML: string;
}

/** GoTrue's default sender in the Supabase CLI's local stack. */
const SENDER = { Name: "Supabase Auth", Address: "admin@email.com" };
const MAX_KEPT = 1000;

export class MailCatcher {
  readonly #messages: Mail[] = [];

  send(to: string, subject: string, html: string): Mail {
    const mail: Mail = {
      ID: randomUUID(),
      From: SENDER,
      To: [{ Name: "", Address: to }],
      Subject: subject,
      Created: new Date().toISOString(),
      Text: html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim(),
      HTML: html,
    };
    this.#messages.unshift(mail);
    this.#messages.length = Math.min(this.#messages.length, MAX_KEPT);
    return mail;
  }

  /** Newest first, as Mailpit lists them. */
  list(to?: string): Mail[] {
    const address = to?.toLowerCase();
    return this.#messages.filter((m) => !address || m.To.some((t) => t.Address === address));
  }

  /** Mailpit's `GET /api/v1/messages`, `GET /api/v1/message/{ID}` and `DELETE /api/v1/messages`. */
  handle(request: Request, path: string): Response {
    if (path === "/api/v1/messages" && request.method === "GET") {
      const to = new URL(request.url).searchParams.get("to") ?? undefined;
      const messages = this.list(to).map(({ Text, HTML: _html, ...summary }) => ({
        ...summary,
        Snippet: Text.slice(0, 250),
      }));
      return Response.json({ total: messages.length, count: messages.length, messages });
    }
    if (path === "/api/v1/messages" && request.method === "DELETE") {
      this.#messages.length = 0;
      return new Response("ok");
    }
    const one = /^\/api\/v1\/message\/([^/]+)$/.exec(path);
    if (one && request.method === "GET") {
      const mail = this.#messages.find((m) => m.ID === one[1]);
      return mail
        ? Response.json(mail)
        : Response.json({ error: "message not found" }, { status: 404 });
    }
    return Response.json({ error: `no mail route ${request.method} ${path}` }, { status: 404 });
  }
}
