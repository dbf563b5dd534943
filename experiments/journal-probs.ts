/**
 * `npm run journal:probs`: Fig. 2's decoding probabilities for the journal's set-up (W = 30,
 * classes 3,3,3, Γ = 0.4,0.35,0.25) into results/journal/probs. Those values are this command's
 * defaults, not flags, so the user's own flags override them (`npm run journal:probs -- --workers 20`).
 */
import { hideBin } from 'yargs/helpers';
import { fig2, FIG2_PRESET } from './fig2.ts';
import { isMainModule, reportWritten, runCommand } from './cli-common.ts';

export const JOURNAL_PROBS_PRESET = { ...FIG2_PRESET, workers: 30, classes: [3, 3, 3], gamma: [0.4, 0.35, 0.25], out: 'results/journal/probs' };

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportWritten(await fig2(hideBin(process.argv), undefined, JOURNAL_PROBS_PRESET));
  });
}
