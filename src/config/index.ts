/** Options: one catalogue, named presets, one resolver, one yargs builder. */
export { OptionError, kebab } from '../util/option-error.ts';
export { OPTIONS, optionsFor, TRAIN_SCHEMES, FIG6_SCHEMES, FIG6_TMAX, MAX_TRIALS, MAX_TIMES, type OptionDef } from './definitions.ts';
export { PRESETS, PRESET_NAMES, presetValues, type Preset, type PresetName, type PresetValues } from '../util/presets.ts';
export { resolveValues, type Values } from './resolve.ts';
export { withOptions, valuesFromArgv, asOptionError } from './yargs.ts';
export { parseValue, MAX_RANGE_POINTS, type ValueKind } from './value-kinds.ts';
export { latencySpecOf } from './latency-spec.ts';
