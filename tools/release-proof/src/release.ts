// The release path, run in a temporary copy of the workspace so the working tree is never touched:
// install (offline, from pnpm's store) → build → `changeset version --snapshot` → `changeset publish`
// to the local registry. This is what `npm run release` does for real, minus the checks `npm test`
// already runs and with a snapshot version instead of the changesets' real ones.
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { cleanEnv, run } from "./exec.ts";
import { assertLoopback, npmEnv, type Registry } from "./registry.ts";

export interface PublishedPackage {
  readonly name: string;
  readonly version: string;
  /** The workspace manifest after `changeset version` (before pnpm rewrote it for publishing). */
  readonly dir: string;
}

export interface ReleaseOptions {
  /** The workspace to release (its git-visible files are copied). */
  readonly source: string;
  /** An empty temporary folder. */
  readonly dir: string;
  readonly registry: Registry;
  /** The npm config from writeNpmrc: the only config the publish step reads. */
  readonly npmrc: string;
  /** The snapshot name: versions become `0.0.0-<tag>-<timestamp>`. */
  readonly tag: string;
  readonly log: (line: string) => void;
}

export interface Release {
  readonly workspace: string;
  readonly packages: readonly PublishedPackage[];
  readonly timings: Readonly<Record<string, number>>;
}

const PROOF_CHANGESET = "zz-release-proof-snapshot.md";

export async function releaseToRegistry(options: ReleaseOptions): Promise<Release> {
  const workspace = join(options.dir, "workspace");
  const timings: Record<string, number> = {};
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    timings[name] = Math.round(performance.now() - started);
    options.log(`${name}: ${timings[name]} ms`);
    return result;
  };

  await step("copy", () => copyWorkspace(options.source, workspace));
  const publishable = await publishablePackages(workspace);
  if (publishable.length === 0) throw new Error("no publishable package found under packages/");

  // Install and build with no registry of ours in sight: the install must come from pnpm's store
  // (the workspace's own install filled it), so nothing is fetched.
  const plain = { cwd: workspace, env: cleanEnv() };
  await step("install", () =>
    run("pnpm", ["install", "--offline", "--frozen-lockfile"], { ...plain, timeoutMs: 120_000 }),
  );
  await step("build", () =>
    run("pnpm", ["-r", ...publishable.flatMap((p) => ["--filter", p.name]), "run", "build"], {
      ...plain,
      timeoutMs: 120_000,
    }),
  );

  // The pending changesets stay (so a broken one fails here), plus one that bumps every publishable
  // package, so each gets a snapshot version even if it has no changeset of its own yet.
  const bumps = publishable.map((p) => `"${p.name}": patch`).join("\n");
  await writeFile(
    join(workspace, ".changeset", PROOF_CHANGESET),
    `---\n${bumps}\n---\n\nSnapshot published by the release proof.\n`,
  );
  const changeset = join(workspace, "node_modules", ".bin", "changeset");
  await step("version", () =>
    run(changeset, ["version", "--snapshot", options.tag], { ...plain, timeoutMs: 60_000 }),
  );
  const packages = await Promise.all(
    publishable.map(async (p) => {
      const manifest = JSON.parse(await readFile(join(p.dir, "package.json"), "utf8")) as { version: string };
      return { name: p.name, version: manifest.version, dir: p.dir };
    }),
  );
  for (const p of packages) {
    if (!p.version.includes(`-${options.tag}-`)) {
      throw new Error(`${p.name} got version ${p.version}, not a ${options.tag} snapshot`);
    }
  }

  // From here on every npm/pnpm command sees only our registry: a config of our own (so the
  // developer's ~/.npmrc is neither read nor changed), and the registry again in the environment.
  assertLoopback(options.registry.url);
  const publishEnv = npmEnv(options.npmrc, options.registry.url);
  // Belt and braces: ask pnpm itself where it would publish, for the default and for our scope.
  for (const key of ["registry", "@square-customers:registry"]) {
    const { stdout } = await run("pnpm", ["config", "get", key], {
      cwd: workspace,
      env: publishEnv,
      timeoutMs: 30_000,
    });
    const seen = stdout.trim().replace(/\/?$/, "/");
    if (seen !== options.registry.url) {
      throw new Error(`refusing to publish: pnpm's ${key} is ${seen}, not ${options.registry.url}`);
    }
  }
  await step("publish", () =>
    run(changeset, ["publish", "--no-git-tag"], { cwd: workspace, env: publishEnv, timeoutMs: 120_000 }),
  );
  return { workspace, packages, timings };
}

/** Copies the files git sees (tracked, plus untracked ones that are not ignored): no node_modules, no dist. */
async function copyWorkspace(source: string, target: string): Promise<void> {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: source,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30_000,
  });
  const files = listed.split("\0").filter((file) => file !== "");
  for (const file of files) {
    const to = join(target, file);
    await mkdir(dirname(to), { recursive: true });
    try {
      await copyFile(join(source, file), to);
    } catch (error) {
      // A tracked file deleted in the working tree is simply not part of what gets released.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

/** The non-private packages under packages/. */
export async function publishablePackages(workspace: string): Promise<{ name: string; dir: string }[]> {
  const root = join(workspace, "packages");
  const found: { name: string; dir: string }[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, entry.name);
    let manifest: { name?: string; private?: boolean };
    try {
      manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
    } catch {
      continue;
    }
    if (manifest.name && manifest.private !== true) found.push({ name: manifest.name, dir });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
