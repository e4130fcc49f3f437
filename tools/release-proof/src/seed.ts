// Fills the local registry with the third-party packages the proof's installs need (ky, effect,
// @types/node, undici-types, …), packed from what the workspace already has installed. The registry has
// no uplink, so this is the only way anything but our own packages gets into it: the installs then
// resolve everything from 127.0.0.1 and nothing is downloaded.
//
// Which packages: the closure, read from package.json files, of the published packages' runtime
// dependencies plus whatever the cases install by name; so a dependency added later is seeded too.
import { createHash } from "node:crypto";
import { access, cp, mkdir, readFile, realpath } from "node:fs/promises";
import { dirname, join } from "node:path";
import { run } from "./exec.ts";
import { assertLoopback, npmEnv, type Registry } from "./registry.ts";

export interface SeedOptions {
  /** Published packages' folders in the source workspace: their dependencies are resolved from there. */
  readonly packageDirs: readonly string[];
  /** Specs the cases pass to `npm install` besides our packages, e.g. `effect@^4.1.0`. */
  readonly extra: readonly string[];
  /** Folders the `extra` packages are resolved from, in order (e.g. the proof's own, the workspace root). */
  readonly extraFrom: readonly string[];
  /** Our scope: its packages come from the release step, never from here. */
  readonly scope: string;
  /** An empty temporary folder for the tarballs. */
  readonly dir: string;
  readonly registry: Registry;
  /** The npm config from writeNpmrc (npm pack reads no other). */
  readonly npmrc: string;
}

export interface SeededPackage {
  readonly name: string;
  readonly version: string;
  /** The installed copy it was packed from (in pnpm's virtual store, `node_modules/.pnpm/…`). */
  readonly dir: string;
}

interface Manifest {
  name: string;
  version: string;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bundleDependencies?: string[] | boolean;
  bundledDependencies?: string[] | boolean;
}

/** A package some installed package (or a case) needs, and where to resolve it from. */
interface Need {
  readonly name: string;
  readonly from: string;
  readonly by: string;
  /** Optional dependencies may be absent (another platform's binary): npm then goes without them too. */
  readonly optional: boolean;
}

export async function seedRegistry(options: SeedOptions): Promise<SeededPackage[]> {
  const registryUrl = options.registry.url;
  assertLoopback(registryUrl);
  const packages = await dependencyClosure(options);
  if (packages.length === 0) return [];

  // One `npm pack` for all of them; scripts off (`prepack` would try to rebuild from sources). The
  // tarball holds the installed files as they are, i.e. what the package's own tarball held. Packed from
  // plain copies: npm pack of a folder inside pnpm's virtual store can die ("Exit handler never called")
  // when the workspace's node_modules hold leftovers of an earlier install.
  await mkdir(options.dir, { recursive: true });
  const staged = await Promise.all(
    packages.map(async (p, i) => {
      const copy = join(options.dir, "staged", String(i));
      await cp(p.dir, copy, { recursive: true, dereference: true });
      return copy;
    }),
  );
  const { stdout } = await run(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", options.dir, ...staged],
    { cwd: options.dir, env: npmEnv(options.npmrc, registryUrl), timeoutMs: 90_000 },
  );
  const tarballs = new Map<string, string>();
  for (const t of JSON.parse(stdout) as { name: string; version: string; filename: string }[]) {
    tarballs.set(`${t.name}@${t.version}`, join(options.dir, t.filename));
  }

  // Versions of one name go one after the other (each publish updates that name's document).
  const byName = new Map<string, { manifest: Manifest; tarball: string }[]>();
  for (const p of packages) {
    const tarball = tarballs.get(`${p.name}@${p.version}`);
    if (!tarball) throw new Error(`npm pack made no tarball for ${p.name}@${p.version}:\n${stdout}`);
    byName.set(p.name, [...(byName.get(p.name) ?? []), { manifest: await readManifest(p.dir), tarball }]);
  }
  await pool([...byName.values()], 4, async (versions) => {
    for (const { manifest, tarball } of versions) await publishTarball(options.registry, manifest, tarball);
  });
  return packages;
}

/**
 * Publishes a tarball with the request `npm publish` sends: a PUT of the package document with the new
 * version and the tarball attached. Not `npm publish` itself: on effect's 3000-file tarball it took
 * ~20 s where this request takes ~1 s, and a request to the loopback registry checked above cannot be
 * redirected by a package's `publishConfig` (effect's asks for provenance, i.e. sigstore) or by a CI's
 * OIDC setup.
 */
async function publishTarball(registry: Registry, manifest: Manifest, tarball: string): Promise<void> {
  const { name, version } = manifest;
  const tgz = await readFile(tarball);
  const file = `${name}-${version}.tgz`;
  // npm normalizes a string `bin` to a map when it publishes; installs link bins from that map.
  const bin =
    typeof manifest.bin === "string" ? { [name.replace(/^@[^/]+\//, "")]: manifest.bin } : manifest.bin;
  const document = {
    _id: name,
    name,
    "dist-tags": { latest: version },
    versions: {
      [version]: {
        ...manifest,
        ...(bin === undefined ? {} : { bin }),
        _id: `${name}@${version}`,
        dist: {
          shasum: createHash("sha1").update(tgz).digest("hex"),
          integrity: `sha512-${createHash("sha512").update(tgz).digest("base64")}`,
          // What libnpmpublish sends; the registry serves its own tarball URLs anyway.
          tarball: new URL(`${name}/-/${file}`, registry.url).href,
        },
      },
    },
    _attachments: {
      [file]: { content_type: "application/octet-stream", data: tgz.toString("base64"), length: tgz.length },
    },
  };
  const response = await fetch(new URL(name.replace("/", "%2f"), registry.url), {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${registry.token}` },
    body: JSON.stringify(document),
    signal: AbortSignal.timeout(60_000),
  });
  if (!response.ok) {
    throw new Error(`seeding ${name}@${version} failed: HTTP ${response.status} ${await response.text()}`);
  }
}

/** Every third-party package reachable from the roots, as installed in the workspace; fails naming the missing. */
async function dependencyClosure(options: SeedOptions): Promise<SeededPackage[]> {
  const queue: Need[] = [];
  for (const dir of options.packageDirs) {
    const manifest = await readManifest(dir);
    queue.push(...needsOf(manifest, dir, options.scope));
  }
  for (const spec of options.extra) {
    const name = spec.slice(0, spec.indexOf("@", 1) === -1 ? undefined : spec.indexOf("@", 1));
    const from = await firstResolvable(name, options.extraFrom);
    queue.push({
      name,
      from: from ?? options.extraFrom[0] ?? ".",
      by: `the proof's \`npm install ${spec}\``,
      optional: false,
    });
  }

  const seen = new Set<string>(); // real folders already walked
  const found = new Map<string, SeededPackage>(); // by name@version
  const missing: string[] = [];
  for (let need = queue.shift(); need; need = queue.shift()) {
    const dir = await resolveInstalled(need.name, need.from);
    if (!dir) {
      if (!need.optional) missing.push(`${need.name} (needed by ${need.by}, looked up from ${need.from})`);
      continue;
    }
    if (seen.has(dir)) continue;
    seen.add(dir);
    const manifest = await readManifest(dir);
    const id = `${manifest.name}@${manifest.version}`;
    if (!found.has(id)) found.set(id, { name: manifest.name, version: manifest.version, dir });
    queue.push(...needsOf(manifest, dir, options.scope));
  }
  if (missing.length > 0) {
    throw new Error(
      `cannot seed the local registry: not installed in the workspace (run the toolchain's install first):\n  ${missing.join("\n  ")}`,
    );
  }
  return [...found.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
  );
}

/**
 * What npm installs along with `manifest`: dependencies, optional ones (if installed here), and peers
 * not marked optional (npm installs those since v7). Bundled ones ship inside the tarball; ours are
 * published by the release step.
 */
function needsOf(manifest: Manifest, from: string, scope: string): Need[] {
  const by = `${manifest.name}@${manifest.version}`;
  const bundled = manifest.bundleDependencies ?? manifest.bundledDependencies;
  const skip = (name: string) =>
    name.startsWith(`${scope}/`) || (Array.isArray(bundled) && bundled.includes(name));
  const optional = Object.keys(manifest.optionalDependencies ?? {});
  const required = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}).filter(
      (name) => !manifest.peerDependenciesMeta?.[name]?.optional,
    ),
  ].filter((name) => !optional.includes(name));
  return [
    ...required.filter((name) => !skip(name)).map((name) => ({ name, from, by, optional: false })),
    ...optional.filter((name) => !skip(name)).map((name) => ({ name, from, by, optional: true })),
  ];
}

/**
 * Node's lookup of `name` from `from` (node_modules of `from` and of each parent), followed to the real
 * folder. With pnpm that is `node_modules/.pnpm/<name>@<version>…/node_modules/<name>`, whose own
 * dependencies and peers are its siblings there, so resolving from it finds exactly the versions pnpm
 * installed for it.
 */
async function resolveInstalled(name: string, from: string): Promise<string | undefined> {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    try {
      await access(join(candidate, "package.json"));
      return await realpath(candidate);
    } catch {
      // Not here; try the parent.
    }
    if (dirname(dir) === dir) return undefined;
  }
}

async function firstResolvable(name: string, froms: readonly string[]): Promise<string | undefined> {
  for (const from of froms) if (await resolveInstalled(name, from)) return from;
  return undefined;
}

async function readManifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as Manifest;
}

/** Runs `work` over `items`, at most `limit` at a time; rejects with the first failure. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
