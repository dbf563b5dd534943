/**
 * `npm run serve -- [DIR]`: the report of DIR (default results/) served live from 127.0.0.1 (a
 * page that refreshes as runs start, grow and finish): src/report/serve.ts. Stops on Ctrl-C.
 */
import { hideBin } from 'yargs/helpers';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { ReportInputError, startReportServer, type ReportServer } from '../src/report/index.ts';
import { onStopSignals } from '../src/util/stop-signals.ts';
import { commandLine, isMainModule, runCommand, UsageError } from './cli-common.ts';

const KEYS = ['port', 'host', 'pollMs'] as const;

/** Starts the server of `args`; resolves with it once it listens. */
export async function serve(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<ReportServer> {
  const argv = withOptions(commandLine('Live HTML report of a results folder: serve [DIR] (default results/).', args).strict(false).strictOptions(), KEYS).parseSync();
  const v = resolveValues(KEYS, valuesFromArgv(argv as Record<string, unknown>, KEYS));
  const dirs = (argv._ as unknown[]).map(String);
  if (dirs.length > 1) throw new UsageError(`serve takes one folder (got ${dirs.length}: ${dirs.join(' ')})`);
  const dir = dirs[0] ?? 'results';
  try {
    const server = await startReportServer({ dir, host: v.host as string, port: v.port as number, pollMs: v.pollMs as number });
    log(`serving ${dir} at ${server.url} (read-only; Ctrl-C stops)`);
    return server;
  } catch (err) {
    if (err instanceof ReportInputError) throw new UsageError(err.message);
    throw err;
  }
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    const server = await serve(hideBin(process.argv));
    await new Promise<void>((done) => {
      const dispose = onStopSignals(() => {
        dispose();
        void server.close().then(done);
      });
    });
  });
}
