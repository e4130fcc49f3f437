// The tests run dist/cli.js, so build it (and what it references) first; `tsc -b` is incremental and
// does nothing when everything is up to date.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  execFileSync("tsc", ["-b"], { cwd: root, stdio: "inherit" });
}
