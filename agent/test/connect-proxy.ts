// A forward proxy for the tests, as an office's proxy behaves: `CONNECT host:port` opens a tunnel (what
// HTTPS and WebSocket clients send), and an absolute-URI request (`GET http://host/path`) is forwarded.
// It records each target, so a test can prove a connection went through it.
import { connect, createServer, type Socket } from "node:net";

export interface ConnectProxy {
  url: string;
  /** `host:port` of every connection made through it, in order. */
  targets: string[];
  stop(): Promise<void>;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      const [requestLine = ""] = head.subarray(0, end).toString("latin1").split("\r\n");
      const [method = "", target = ""] = requestLine.split(" ");
      const tunnel = method === "CONNECT";
      const url = tunnel ? null : new URL(target);
      const hostPort = tunnel ? target : `${url!.hostname}:${url!.port || "80"}`;
      targets.push(hostPort);
      const [host, port] = [
        hostPort.slice(0, hostPort.lastIndexOf(":")),
        hostPort.split(":").pop(),
      ];
      const upstream = connect(Number(port), host, () => {
        if (tunnel) {
          client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
          const rest = head.subarray(end + 4);
          if (rest.length) upstream.write(rest);
        } else {
          // One request per connection: the client's next request may be for another host.
          const headers = head.subarray(0, end).toString("latin1").split("\r\n").slice(1)
            .filter((h) => !/^(proxy-)?connection:/i.test(h));
          const originForm = requestLine.replace(target, `${url!.pathname}${url!.search}`);
          upstream.write(Buffer.concat([
            Buffer.from(
              [originForm, ...headers, "Connection: close", "", ""].join("\r\n"),
              "latin1",
            ),
            head.subarray(end + 4),
          ]));
        }
        client.pipe(upstream);
        upstream.pipe(client);
      });
      sockets.add(upstream);
      upstream.on("close", () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on("error", () => client.destroy());
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    targets,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
