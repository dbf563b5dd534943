/**
 * The named starting points of the commands, as overrides of the one option catalogue
 * (src/config/definitions.ts). This module is a leaf (numbers only), so the engine can take its
 * defaults from here without importing the catalogue.
 *
 * - `dnn`: the paper's training experiment (§V, Fig. 6): λ = 0.5, T_max = 0.5, Γ = (0.45, 0.35,
 *   0.20), Table III's workers (9 uncoded, 18 repetition, 15 MDS/NOW/EW) and K = N·P/W.
 * - `fig3`: the matrix-approximation figures (§IV, Figs. 3–4): λ = 0.25, W = 40, K = 1,
 *   Γ = (0.35, 0.35, 0.30).
 */
export interface PresetValues {
  tmax?: number;
  lambda?: number;
  gamma?: readonly number[];
  workers?: number;
  K?: number;
}

export const PRESETS = {
  dnn: { tmax: 0.5, lambda: 0.5, gamma: [0.45, 0.35, 0.2] },
  fig3: { lambda: 0.25, workers: 40, K: 1, gamma: [0.35, 0.35, 0.3] },
} as const satisfies Record<string, PresetValues>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
