// A throwaway npm registry (Verdaccio) on 127.0.0.1 with its storage in a temporary folder. It has no
// uplink: it serves only what the proof publishes to it (our packages, and the third-party ones seed.ts
// packs from the workspace's install), so no install or lookup can reach past loopback.
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanEnv, killGroup } from "./exec.ts";

export interface Registry {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** A publish token for the proof's user, created through the registry's adduser endpoint. */
  readonly token: string;
  /** Verdaccio's log so far (warnings and errors), for failure messages. */
  log(): string;
  close(): Promise<void>;
}

export interface RegistryOptions {
  /** Folder for the config, htpasswd and package storage; the caller deletes it. */
  readonly dir: string;
  readonly startTimeoutMs?: number;
}

const SCOPE = "@square-customers";
const USER = { name: "release-proof", password: "release-proof-password" };

export async function startRegistry(options: RegistryOptions): Promise<Registry> {
  const storage = join(options.dir, "storage");
  const configPath = join(options.dir, "config.yaml");
  // JSON is YAML, so the config needs no YAML writer.
  const config = {
    storage,
    auth: { htpasswd: { file: join(options.dir, "htpasswd"), max_users: 1 } },
    // Signed tokens: the legacy token format is not accepted back by Verdaccio 6 for publishing.
    security: { api: { jwt: { sign: { expiresIn: "1h" } } } },
    // No uplinks and no `proxy` on any package: a package that was not published here is a 404, never
    // a request to another registry (tests talk only to loopback).
    uplinks: {},
    packages: { "**": { access: "$all", publish: "$authenticated" } },
    // Seeded third-party tarballs are large (effect's is several MB, base64-encoded in the publish body).
    max_body_size: "200mb",
    web: { enable: false },
    log: { type: "stdout", format: "pretty", level: "warn" },
  };
  await mkdir(options.dir, { recursive: true });
  await writeFile(configPath, JSON.stringify(config, null, 2));

  const script = fileURLToPath(new URL("./registry-server.ts", import.meta.url));
  const child = spawn(process.execPath, [script, configPath], {
    cwd: options.dir,
    env: cleanEnv(),
    // stdin stays open: the server exits when it closes, i.e. when this process is gone.
    stdio: ["pipe", "pipe", "pipe"],
    detached: process.platform !== "win32",
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const close = async () => {
    killGroup(child, "SIGTERM");
    const killer = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
    await exited;
    clearTimeout(killer);
  };

  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Verdaccio did not start within ${options.startTimeoutMs ?? 30_000} ms`)),
        options.startTimeoutMs ?? 30_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString("utf8");
        const match = /^listening (\d+)$/m.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`Verdaccio exited with ${code} before listening:\n${output}`));
      });
    });
    const url = `http://127.0.0.1:${port}/`;
    const token = await addUser(url);
    return { url, token, log: () => output, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `npm adduser`'s request: creates the user in the htpasswd file and returns its token. */
async function addUser(registryUrl: string): Promise<string> {
  const response = await fetch(new URL(`-/user/org.couchdb.user:${USER.name}`, registryUrl), {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ _id: `org.couchdb.user:${USER.name}`, type: "user", roles: [], ...USER }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { token?: string; error?: string };
  if (!response.ok || !body.token) {
    throw new Error(`adduser on ${registryUrl} failed: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

/**
 * Writes the npm/pnpm config that points everything at `registry` and authenticates to it, into
 * `dir/npmrc` (cache in `dir/npm-cache`), and returns its path. Refuses any registry not on loopback:
 * everything the proof publishes or installs goes through this file.
 */
export async function writeNpmrc(registry: Registry, dir: string): Promise<string> {
  assertLoopback(registry.url);
  const host = registry.url.replace(/^https?:/, "");
  const path = join(dir, "npmrc");
  const lines = [
    // The default registry is what every scope without a `@scope:registry` line uses; npmEnv makes this
    // the user config and an empty file the global one, so no other file can add such a line.
    `registry=${registry.url}`,
    `${SCOPE}:registry=${registry.url}`,
    `${host}:_authToken=${registry.token}`,
    `cache=${join(dir, "npm-cache")}`,
    // Requests to the registry never go through a proxy (cleanEnv drops the proxy variables too).
    "noproxy=127.0.0.1",
    "audit=false",
    "fund=false",
    "update-notifier=false",
    "",
  ];
  await writeFile(path, lines.join("\n"));
  await writeFile(globalNpmrc(path), "# Empty: stands in for the machine's global npmrc.\n");
  return path;
}

/** The (empty) global config next to `npmrc`; npm refuses one file as both user and global config. */
const globalNpmrc = (npmrc: string) => `${npmrc}.global`;

/** The environment for npm/pnpm commands: only `npmrc` configures them (the global config is empty). */
export function npmEnv(npmrc: string, registryUrl: string): NodeJS.ProcessEnv {
  return cleanEnv({
    npm_config_userconfig: npmrc,
    npm_config_globalconfig: globalNpmrc(npmrc),
    npm_config_registry: registryUrl,
  });
}

/** Throws unless `url` is an http URL on 127.0.0.1: the proof never publishes or installs elsewhere. */
export function assertLoopback(url: string): void {
  const { protocol, hostname } = new URL(url);
  if (protocol !== "http:" || hostname !== "127.0.0.1") {
    throw new Error(`refusing to use registry ${url}: the release proof only talks to http://127.0.0.1`);
  }
}
