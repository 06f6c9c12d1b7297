/** Test helpers: the real `caddy validate`, and reading a site's upstream from a Caddyfile. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs the real `caddy validate` on a Caddyfile; throws with caddy's message when it is invalid. */
export function caddyValidate(text: string): void {
  const dir = mkdtempSync(join(tmpdir(), "caddy-"));
  const file = join(dir, "Caddyfile");
  writeFileSync(file, text);
  execFileSync("caddy", ["validate", "--config", file, "--adapter", "caddyfile"], {
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    stdio: "pipe",
  });
}

/** The upstream of the site block that starts with `host`. */
export function upstreamOf(caddyfile: string, host: string): string | undefined {
  const block = caddyfile.split("\n\n").find((b) => b.startsWith(`${host} {`));
  return block?.match(/reverse_proxy (\S+)/)?.[1];
}

