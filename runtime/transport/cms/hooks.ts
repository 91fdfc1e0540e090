// Internal options of seal, for tests only: with a fixed clock and a fixed random stream the
// output is deterministic, so the fast path can be compared byte for byte with node-forge.
import { randomBytes } from 'node:crypto';

export interface SealHooks {
  /** signingTime attribute; default now. */
  signingTime?: Date;
  /** Source of random bytes for the content key, the IV and the RSA padding, in that order. */
  random?: (n: number) => Buffer;
}

export const defaultRandom = (n: number): Buffer => randomBytes(n);
