/**
 * The named starting points of the commands, as overrides of the one option catalogue
 * (src/config/definitions.ts). This module is a leaf (numbers only), so the engine and the
 * theory can take their defaults from here without importing the catalogue.
 *
 * - `dnn`: the paper's training experiment (§V, Fig. 6): λ = 0.5, T_max = 0.5, Γ = (0.45, 0.35,
 *   0.20), Table III's workers (9 uncoded, 18 repetition, 15 MDS/NOW/EW) and K = N·P/W.
 * - `fig3`: the matrix-approximation figures (§IV, Figs. 2–4; also matmul and design): λ = 0.25,
 *   W = 40, K = 1, Γ = (0.35, 0.35, 0.30).
 * - `bench`: the timing benchmark: the training setup (`dnn`) at T_max = 1.
 *
 * A command may add its own values to a preset: its output folder (`out`, e.g. fig3's
 * results/fig3), since the presets here are shared by several commands, which write to different
 * places; and the few starting values where it differs from the catalogue (e.g. matmul's 2000
 * trials, bench-train's and energies' 1 epoch, the worker's NATS subject prefix).
 */
export interface PresetValues {
  tmax?: number;
  lambda?: number;
  gamma?: readonly number[];
  workers?: number;
  K?: number;
  /** The rest are a command's own (see above). Output directory. */
  out?: string;
  /** Monte Carlo trials. */
  trials?: number;
  /** Training epochs. */
  epochs?: number;
  /** NATS subject prefix. */
  prefix?: string;
}

const DNN = { tmax: 0.5, lambda: 0.5, gamma: [0.45, 0.35, 0.2] } as const;

export const PRESETS = {
  dnn: DNN,
  fig3: { lambda: 0.25, workers: 40, K: 1, gamma: [0.35, 0.35, 0.3] },
  bench: { ...DNN, tmax: 1 },
} as const satisfies Record<string, PresetValues>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** A named preset, or a command's own values (typically a named preset plus its `out`). */
export type Preset = PresetName | Readonly<PresetValues>;

/** The values of a preset (none for undefined). */
export function presetValues(preset: Preset | undefined): Readonly<Record<string, unknown>> {
  if (preset === undefined) return {};
  return typeof preset === 'string' ? PRESETS[preset] : preset;
}
