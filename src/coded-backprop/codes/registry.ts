/** The one registry of codes: adding a code is one file and one line here. */
import type { SchemeName } from '../types.ts';
import type { Code } from './code.ts';
import { ewUep, nowUep } from './uep-windows.ts';
import { mds } from './mds.ts';
import { repetition } from './repetition.ts';
import { uncoded } from './uncoded.ts';
import { systematicMds } from './systematic-mds.ts';
import { productCode } from './product.ts';
import { bacc } from './bacc.ts';
import { OptionError } from '../../util/option-error.ts';

export const CODES: readonly Code[] = [uncoded, repetition, mds, nowUep, ewUep, systematicMds, productCode, bacc];

export const SCHEME_NAMES = CODES.map((c) => c.name) as SchemeName[];

/** The registered code called `name`; TypeError listing the valid names otherwise. */
export function getCode(name: string): Code {
  const code = CODES.find((c) => c.name === name);
  if (!code) throw new OptionError('scheme', `'${name}' is not a registered code; valid: ${SCHEME_NAMES.join(', ')}`);
  return code;
}
