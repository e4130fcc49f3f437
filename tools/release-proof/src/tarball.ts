// Reads a published tarball (gzip + ustar, as npm and pnpm pack them) without unpacking it.
import { gunzipSync } from "node:zlib";

/** Each file of the tarball: its path with the leading `package/` removed, and its bytes. */
function* tarballEntries(tgz: Uint8Array): Generator<{ path: string; body: Buffer }> {
  const tar = gunzipSync(tgz);
  let longName: string | undefined;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break; // end of archive
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    const size = Number.parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1) || "0";
    const body = tar.subarray(offset + 512, offset + 512 + size);
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === "x") {
      // A pax header: its `path` record replaces the next entry's name.
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString("utf8"));
      longName = path?.[1];
    } else if (type === "0" || type === "7") {
      yield { path: name.replace(/^[^/]+\//, ""), body };
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
}

/** Paths inside the tarball with the leading `package/` removed, sorted. */
export function tarballFiles(tgz: Uint8Array): string[] {
  return [...tarballEntries(tgz)].map((entry) => entry.path).sort();
}

/** The package.json the tarball ships. */
export function tarballManifest(tgz: Uint8Array): Record<string, unknown> {
  for (const { path, body } of tarballEntries(tgz)) {
    if (path === "package.json") return JSON.parse(body.toString("utf8"));
  }
  throw new Error("the tarball has no package.json");
}
