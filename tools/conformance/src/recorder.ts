// A recording server on 127.0.0.1: it keeps every request exactly as it arrived on the socket (method,
// raw target, headers, raw body) and answers with whatever the test asks (by default a 400 error
// envelope, which neither client retries, so each call is one request). The suite sends the same call
// through both clients to it and compares what each put on the wire; no emulator is involved, so the
// judge of each request is the spec, not the emulator.
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as it arrived. */
export interface RecordedRequest {
  readonly method: string;
  /** The request target: path and query string, exactly as sent (encoding included). */
  readonly target: string;
  /** Every header, by lower-case name (a repeated header joined with ", "). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as sent, as text; undefined when there was none. */
  readonly body: string | undefined;
}

/** What the recorder answers a request with. */
export interface RecorderAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The default answer: a Square error envelope that no client retries. */
export const REFUSED: RecorderAnswer = {
  status: 400,
  body: { errors: [{ category: "INVALID_REQUEST_ERROR", code: "BAD_REQUEST", detail: "recorded" }] },
};

export interface Recorder {
  readonly url: string;
  /** Every request so far, in order of arrival. */
  readonly requests: RecordedRequest[];
  /** Sets how the next requests are answered. */
  answerWith(answer: (request: RecordedRequest) => RecorderAnswer): void;
  close(): Promise<void>;
}

export async function startRecorder(): Promise<Recorder> {
  const requests: RecordedRequest[] = [];
  let answer: (request: RecordedRequest) => RecorderAnswer = () => REFUSED;
  const server: Server = createServer(async (req, res) => {
    const recorded = await record(req);
    requests.push(recorded);
    const { status, body, headers } = answer(recorded);
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answerWith(next) {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return {
    method: req.method ?? "",
    target: req.url ?? "",
    headers,
    body: body.length === 0 ? undefined : body.toString("utf8"),
  };
}
