/**
 * Entry of the job worker's thread (TOKUI_INLINE_WORKER=thread, started by scripts/serve.mjs):
 * loads the same server build and runs app/worker-thread.server.ts, exported by the build's
 * entry module (app/entry.server.tsx).
 */
import { workerData } from "node:worker_threads";

const build = await import(workerData.buildUrl);
await build.entry.module.runWorkerThread();
