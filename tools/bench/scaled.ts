/**
 * The program with every enabled app deployed `PLATFORM_BENCH_COPIES` times, each copy as if for another
 * stack (`production`, `production-1`, ...), so the benchmark can show how start-up time and memory grow
 * with the number of resources. Run through the emulated language host like the real program.
 */
import { deployEnabledApps } from "../../apps";
import { loadPlatformConfig } from "../../config";

export default async function scaled(): Promise<Record<string, unknown>> {
  const copies = Number(process.env.PLATFORM_BENCH_COPIES ?? "1");
  if (!Number.isInteger(copies) || copies < 1) throw new Error(`PLATFORM_BENCH_COPIES must be a whole number ≥ 1, got ${process.env.PLATFORM_BENCH_COPIES}`);
  const config = loadPlatformConfig();
  const outputs: Record<string, unknown> = {};
  for (let copy = 0; copy < copies; copy++) {
    const stack = copy === 0 ? config.stack : `${config.stack}-${copy}`;
    outputs[stack] = await deployEnabledApps({ ...config, stack });
  }
  return outputs;
}
