// A small extract kept as a golden file: it shows the format by example and catches any
// unintended change to what a seed produces (vendors' fixtures depend on it). After an intended
// change, regenerate with: UPDATE_GOLDEN=1 npx vitest run test/demo-data/golden.test.ts
import { describe, it } from 'vitest';

import { fileURLToPath } from 'node:url';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import { expectGolden } from '../helpers/golden.ts';

const golden = fileURLToPath(new URL('./golden/sample.ndjson', import.meta.url));

describe('golden extract', () => {
  it('six children, seed "golden", with edits, deletions and defects', () => {
    const text = `${[...generateRecords({ children: 6, from: '2017-01-01', to: '2026-12-31', seed: 'golden', editRate: 0.2, deleteRate: 0.05, badRate: 0.1 })]
      .map((r) => JSON.stringify(r))
      .join('\n')}\n`;
    expectGolden(golden, text);
  });
});
