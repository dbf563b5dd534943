import { PAPER_MC_SETUP, simulateByWorkers } from '../src/montecarlo/index.ts';
const setup = { ...PAPER_MC_SETUP, rowBlocks: 9, colBlocks: 1, variances: [1], gamma: [1], workers: 15 };
const r = await simulateByWorkers(setup, [{ scheme: 'bacc', granularity: 'class' }], { trials: 500, seed: 1, times: [1, 2], threads: 1 });
console.log(r.lines[0].byReceived.map((e) => `${e.mean.toFixed(4)}±${(e.sd / Math.sqrt(e.n)).toFixed(4)}`).join(' '));
