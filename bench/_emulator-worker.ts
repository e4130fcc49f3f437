// The emulator in a worker thread, for benchmarks (see _support.ts): it gets its own event loop, as a
// real server would, so the client under test does not share one with it.
import { parentPort, workerData } from "node:worker_threads";
import { startEmulator } from "@square-customers/emulator";

const { seed } = workerData as { seed?: number };
const emulator = await startEmulator({ host: "127.0.0.1", port: 0, ...(seed === undefined ? {} : { seed }) });
parentPort!.postMessage({ url: emulator.url });
parentPort!.once("message", async () => {
  await emulator.close();
  parentPort!.postMessage("closed");
});
