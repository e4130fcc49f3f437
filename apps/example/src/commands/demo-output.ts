// How the demo prints: numbered steps, the code each one runs, results, and checks that pass (✓) or fail (✗).
import { styleText } from "node:util";

export const out = (text = "") => process.stdout.write(`${text}\n`);
export const style = (format: Parameters<typeof styleText>[0], text: string) =>
  styleText(format, text, { stream: process.stdout });
export const heading = (step: number, title: string, flavor: string) =>
  out(`\n${style("bold", `${step}. ${title}`)}  ${style("dim", `(${flavor})`)}`);
export const code = (text: string) => out(style("cyan", `   ${text}`));
export const say = (text: string) => out(`   ${text}`);
export const ok = (text: string) => out(`   ${style("green", "✓")} ${text}`);
export const bad = (text: string) => out(`   ${style("red", "✗")} ${text}`);

/** Checks that print ✓ or ✗ and count the failures. */
export function checks(): { check(pass: boolean, text: string): void; readonly failures: number } {
  let failures = 0;
  return {
    check(pass, text) {
      if (pass) ok(text);
      else {
        failures++;
        bad(text);
      }
    },
    get failures() {
      return failures;
    },
  };
}
