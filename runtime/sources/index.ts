// Opens the source kpr.yaml names.
import type { KprConfig } from '../config/load.ts';
import { readSecret } from '../config/secrets.ts';
import { CommandSource } from './command.ts';
import { FileSource } from './files.ts';
import type { Source } from './types.ts';

export { SourceError, type Source, type SourceLine, type ReadOptions } from './types.ts';
export { FileSource } from './files.ts';
export { CommandSource } from './command.ts';

export function openSource(config: KprConfig): Source {
  const s = config.source;
  if (s.type === 'command') {
    const env = Object.fromEntries(Object.entries(s.env).map(([k, ref]) => [k, readSecret(ref)]));
    return new CommandSource(s.command!, env, s.timeoutSec, config.dir);
  }
  return new FileSource(s.path!, s.type);
}
