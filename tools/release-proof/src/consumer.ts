// Fresh consumer projects: an empty folder, a package.json, and a plain `npm install` from the local
// registry — what a user of one of our packages does.
import { lstat, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./exec.ts";
import { npmEnv } from "./registry.ts";

export interface ConsumerOptions {
  /** The project folder (created). */
  readonly dir: string;
  /** The npm config from writeNpmrc (registry, token, cache). */
  readonly npmrc: string;
  readonly registryUrl: string;
  /** Package specs as a user would type them after `npm install`. */
  readonly install: readonly string[];
  /** Files to put in the project, relative path → content. */
  readonly files?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export interface Consumer {
  readonly dir: string;
  /** How long `npm install` took. */
  readonly installMs: number;
}

export async function createConsumer(options: ConsumerOptions): Promise<Consumer> {
  await mkdir(options.dir, { recursive: true });
  const manifest = { name: "release-proof-consumer", version: "1.0.0", private: true, type: "module" };
  await writeFile(join(options.dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [file, content] of Object.entries(options.files ?? {})) {
    await writeFile(join(options.dir, file), content);
  }
  const { ms } = await run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--loglevel=warn", "--save-exact", ...options.install],
    {
      cwd: options.dir,
      env: npmEnv(options.npmrc, options.registryUrl),
      timeoutMs: options.timeoutMs ?? 120_000,
    },
  );
  return { dir: options.dir, installMs: Math.round(ms) };
}

/** Names of every package installed anywhere under node_modules (nested ones included), sorted. */
export async function installedPackages(projectDir: string): Promise<string[]> {
  const names = new Set<string>();
  const visit = async (modules: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(modules);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith(".")) continue;
      if (entry.startsWith("@")) {
        for (const scoped of await readdir(join(modules, entry))) {
          names.add(`${entry}/${scoped}`);
          await visit(join(modules, entry, scoped, "node_modules"));
        }
      } else {
        names.add(entry);
        await visit(join(modules, entry, "node_modules"));
      }
    }
  };
  await visit(join(projectDir, "node_modules"));
  return [...names].sort();
}

export interface Size {
  readonly bytes: number;
  readonly files: number;
}

/** Installed size of node_modules: the sum of file sizes (what `du --apparent-size` reports). */
export async function installedSize(projectDir: string): Promise<Size> {
  let bytes = 0;
  let files = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        bytes += (await lstat(path)).size;
        files++;
      }
    }
  };
  await walk(join(projectDir, "node_modules"));
  return { bytes, files };
}
