/**
 * grand-central's CouchDB setup (security review M9): the run-once script that gives the app its own
 * user, a member of its one database. Run for real (sh and curl, as in the Debian-based couchdb image)
 * against a local stand-in for CouchDB that keeps databases, `_users` documents with revisions and
 * `_security`, and refuses what CouchDB refuses (wrong admin, missing or stale `rev`).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { COUCHDB_APP_USER, COUCHDB_SETUP_SCRIPT, couchdbSetupEnvironment, couchdbUserDoc } from "../../apps/grand-central";
import { runTool, tempFile } from "../support";

interface Recorded {
  method: string;
  path: string;
  query: string;
  admin: boolean;
  contentType: string | undefined;
  body: string;
}

/** A CouchDB stand-in: the few endpoints the setup uses, with CouchDB's status codes. */
class FakeCouch {
  readonly requests: Recorded[] = [];
  readonly databases = new Set<string>();
  readonly users = new Map<string, { rev: string; doc: Record<string, unknown> }>();
  readonly security = new Map<string, unknown>();
  /** `GET /_users` answers 404 this many times first (CouchDB still creating its system databases). */
  notReadyFor = 0;
  private readonly server = createServer((req, res) => this.handle(req, res));

  constructor(private readonly adminAuth: string) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): void {
    this.server.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const url = new URL(String(req.url), "http://couch");
      const method = String(req.method);
      const admin = req.headers.authorization === this.adminAuth;
      this.requests.push({ method, path: url.pathname, query: url.search, admin, contentType: req.headers["content-type"], body });
      const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "Content-Type": "application/json", ...headers });
        res.end(JSON.stringify(json));
      };
      if (!admin) return send(401, { error: "unauthorized", reason: "Name or password is incorrect." });
      const parts = url.pathname.split("/").slice(1).map(decodeURIComponent);
      if (method === "GET" && parts.length === 1 && parts[0] === "_users") {
        if (this.notReadyFor > 0) {
          this.notReadyFor -= 1;
          return send(404, { error: "not_found", reason: "Database does not exist." });
        }
        return send(200, { db_name: "_users" });
      }
      if (method === "PUT" && parts.length === 1) {
        if (this.databases.has(parts[0])) return send(412, { error: "file_exists", reason: "The database could not be created, the file already exists." });
        this.databases.add(parts[0]);
        return send(201, { ok: true });
      }
      if (parts.length === 2 && parts[0] === "_users") {
        const existing = this.users.get(parts[1]);
        if (method === "GET") {
          if (!existing) return send(404, { error: "not_found", reason: "missing" });
          return send(200, { _id: parts[1], _rev: existing.rev, derived_key: "secret-hash" }, { ETag: `"${existing.rev}"` });
        }
        if (method === "PUT") {
          const rev = url.searchParams.get("rev");
          if ((existing?.rev ?? null) !== rev) return send(409, { error: "conflict", reason: "Document update conflict." });
          const next = `${existing ? Number(existing.rev.split("-")[0]) + 1 : 1}-${randomBytes(16).toString("hex")}`;
          this.users.set(parts[1], { rev: next, doc: JSON.parse(body) as Record<string, unknown> });
          return send(201, { ok: true, id: parts[1], rev: next }, { ETag: `"${next}"` });
        }
      }
      if (method === "PUT" && parts.length === 2 && parts[1] === "_security") {
        if (!this.databases.has(parts[0])) return send(404, { error: "not_found", reason: "Database does not exist." });
        this.security.set(parts[0], JSON.parse(body));
        return send(200, { ok: true });
      }
      return send(400, { error: "bad_request", reason: `unexpected ${method} ${url.pathname}` });
    });
  }
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Every argument curl was started with, one per line. */
  curlArgs: string;
  cwd: string;
}

/**
 * Runs the script with `sh -c` (the task's command) in an empty directory, with the task's own
 * environment for the setup container (URL pointing at the stand-in) and a `curl` on PATH that logs
 * its arguments and execs the real one.
 */
async function runSetup(url: string, adminPassword: string, appPassword: string, extra: Record<string, string> = {}): Promise<Run> {
  const cwd = mkdtempSync(join(tmpdir(), "couchdb-setup-"));
  const bin = mkdtempSync(join(tmpdir(), "couchdb-setup-bin-"));
  const log = join(cwd, "curl-args.log");
  writeFileSync(log, "");
  const realCurl = runTool("sh", ["-c", "command -v curl"]).output.trim();
  writeFileSync(join(bin, "curl"), `#!/bin/sh\nprintf '%s\\n' "$@" >> "$CURL_ARGS_LOG"\nexec ${realCurl} "$@"\n`);
  chmodSync(join(bin, "curl"), 0o755);
  const env = {
    PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    CURL_ARGS_LOG: log,
    ...couchdbSetupEnvironment(url, "grand-central", 120),
    COUCHDB_PASSWORD: adminPassword,
    COUCHDB_APP_USER_DOC: couchdbUserDoc(COUCHDB_APP_USER, appPassword),
    ...extra,
  };
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile("sh", ["-c", COUCHDB_SETUP_SCRIPT], { env, cwd }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
  return { ...result, curlArgs: readFileSync(log, "utf8"), cwd };
}

const USER_ID = `org.couchdb.user:${COUCHDB_APP_USER}`;
const MEMBERS_ONLY = { admins: { names: [], roles: [] }, members: { names: [COUCHDB_APP_USER], roles: [] } };

test("the setup script passes shellcheck as POSIX sh", () => {
  const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("couchdb-setup.sh", COUCHDB_SETUP_SCRIPT)]);
  assert.equal(status, 0, output);
});

test("a first run waits for _users, creates the database, the user (roles []) and the members; a second run changes nothing but the user's revision", async () => {
  const couch = new FakeCouch(basic("admin", "adminpw"));
  couch.notReadyFor = 1;
  const url = await couch.start();
  try {
    const first = await runSetup(url, "adminpw", "apppw1");
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(
      couch.requests.map((r) => `${r.method} ${r.path}${r.query}`),
      ["GET /_users", "GET /_users", "PUT /grand-central", `GET /_users/${encodeURIComponent(USER_ID)}`, `PUT /_users/${encodeURIComponent(USER_ID)}`, "PUT /grand-central/_security"],
    );
    assert.ok(couch.requests.every((r) => r.admin), "every request as the server admin");
    assert.deepEqual(couch.users.get(USER_ID)?.doc, { _id: USER_ID, name: COUCHDB_APP_USER, type: "user", roles: [], password: "apppw1" });
    assert.deepEqual(couch.security.get("grand-central"), MEMBERS_ONLY);
    assert.equal(couch.requests.find((r) => r.path.endsWith("/_security"))?.contentType, "application/json");
    const firstRev = couch.users.get(USER_ID)?.rev;

    couch.requests.length = 0;
    const second = await runSetup(url, "adminpw", "apppw2");
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /the database exists/);
    const put = couch.requests.find((r) => r.method === "PUT" && r.path.startsWith("/_users/"));
    assert.equal(put?.query, `?rev=${String(firstRev)}`, "the update names the revision it replaces");
    assert.equal(couch.users.get(USER_ID)?.doc.password, "apppw2", "a new generated password reaches the user");
    assert.deepEqual([...couch.databases], ["grand-central"]);
    assert.deepEqual(couch.security.get("grand-central"), MEMBERS_ONLY);
    assert.doesNotMatch(second.stdout + second.stderr, /secret-hash/, "the user document read back is never printed");
  } finally {
    couch.stop();
  }
});

test("hostile passwords reach CouchDB byte for byte, run nothing and never appear in curl's arguments", async () => {
  const hostile = (tag: string) => `${tag}'";:$(touch pwned-${tag}) \`touch pwned-${tag}\` $HOME \\n\n-u evil %s {a,b} [x] ü ${"long".repeat(20)}`;
  const adminPassword = hostile("admin");
  const appPassword = hostile("app");
  const couch = new FakeCouch(basic("admin", adminPassword));
  const url = await couch.start();
  try {
    const run = await runSetup(url, adminPassword, appPassword);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(couch.requests.length > 0 && couch.requests.every((r) => r.admin), "Basic credentials decode to exactly admin:<password>");
    assert.equal(couch.users.get(USER_ID)?.doc.password, appPassword);
    assert.equal(existsSync(join(run.cwd, "pwned-admin")) || existsSync(join(run.cwd, "pwned-app")), false, "no command substitution ran");
    for (const secret of [adminPassword, appPassword, Buffer.from(`admin:${adminPassword}`).toString("base64").slice(0, 40), "long".repeat(20)]) {
      assert.ok(!run.curlArgs.includes(secret), `curl's arguments carry no credential: ${run.curlArgs}`);
    }
  } finally {
    couch.stop();
  }
});

test("a wrong admin password fails at once with the reason, and writes nothing", async () => {
  const couch = new FakeCouch(basic("admin", "right"));
  const url = await couch.start();
  try {
    const run = await runSetup(url, "wrong", "apppw");
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /CouchDB refused the admin password: HTTP 401/);
    assert.deepEqual(couch.requests.map((r) => r.method), ["GET"]);
  } finally {
    couch.stop();
  }
});

test("a CouchDB that never answers fails the setup after COUCHDB_WAIT_SECONDS, so the app never starts", async () => {
  const couch = new FakeCouch(basic("admin", "pw"));
  const url = await couch.start();
  couch.stop();
  const run = await runSetup(url, "pw", "apppw", { COUCHDB_WAIT_SECONDS: "1" });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /not ready after 1 s: HTTP 000/);
});
