/**
 * Starts the real server (`cnop serve`) on a free port with a fresh DATA_DIR, so it
 * brings up its own embedded PostgreSQL, migrates and loads the catalogue, and
 * serves the built SPA. Returns the teardown: SIGTERM, then `cnop db stop` on the
 * same DATA_DIR, then the folder is removed.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const cnop = path.join(root, ".venv", "bin", "cnop");
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`cnop serve exited with ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`cnop serve was not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, STOP_TIMEOUT_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(path.join(root, "frontend", "dist", "index.html"))) {
    throw new Error("frontend/dist is missing: run `npm run build` in frontend/ (make test does) before the e2e");
  }
  if (!existsSync(cnop)) {
    throw new Error(`${cnop} is missing: run \`make test\` or \`make run\` once to build the virtualenv`);
  }

  const dataDir = await mkdtemp(path.join(tmpdir(), "cnop-e2e-"));
  const port = await freePort();
  const results = path.join(here, ".results");
  mkdirSync(results, { recursive: true });
  const log = createWriteStream(path.join(results, "server.log"));
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    PORT: String(port),
    // A fresh, self-contained server: no outside database, cache or model.
    DATABASE_URL: "",
    REDIS_URL: "",
    GEMINI_API_KEY: "",
    APP_ENV: "development",
    PRICE_TICK_MS: "500",
    LOG_LEVEL: "WARNING",
  };
  const child = spawn(cnop, ["serve"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  const teardown = async () => {
    await stop(child);
    spawnSync(cnop, ["db", "stop"], { cwd: root, env, stdio: "ignore", timeout: 30_000 });
    log.end();
    await rm(dataDir, { recursive: true, force: true });
  };

  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForReady(`${base}/health/ready`, child);
  } catch (error) {
    await teardown();
    throw new Error(`${(error as Error).message}; see frontend/e2e/.results/server.log`);
  }
  process.env.E2E_BASE_URL = base;
  return teardown;
}
