// The last step of the build: the dashboard's page and style go beside its compiled script in
// dist/dashboard/, from where the emulator serves them (tsc writes only the .js files).
import { copyFileSync, mkdirSync } from "node:fs";

const from = new URL("../src/dashboard/", import.meta.url);
const to = new URL("../dist/dashboard/", import.meta.url);
mkdirSync(to, { recursive: true });
for (const file of ["index.html", "style.css"]) copyFileSync(new URL(file, from), new URL(file, to));
