import { OptionError } from '../../src/config/index.ts';

/** The message a command prints for `err` (an OptionError as `--flag: detail`). */
export function cliMessage(err: unknown): string {
  if (err instanceof OptionError) return err.flagMessage;
  return err instanceof Error ? err.message : String(err);
}
