// A tiny static file server on 127.0.0.1 for the test pages: one origin, the emulator another.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface StaticFile {
  readonly type: string;
  readonly body: string;
}

export interface StaticServer {
  /** e.g. `http://127.0.0.1:54321` */
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `files` (by path) and 404 for anything else. */
export async function serveStatic(files: Readonly<Record<string, StaticFile>>): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const file = Object.hasOwn(files, req.url ?? "") ? files[req.url ?? ""] : undefined;
    if (file === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
