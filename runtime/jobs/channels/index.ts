// The channels kpr-kit delivers on, by kpr.yaml's `channel:`. Adding one: a folder beside these
// implementing `Channel` (types.ts), and its line here.
import type { KprConfig } from '../../config/load.ts';
import { kneikChannel } from './kneik/index.ts';
import { slashChannel } from './slash/index.ts';
import type { Channel } from './types.ts';

const CHANNELS: Readonly<Record<KprConfig['channel'], Channel>> = {
  kneik: kneikChannel,
  slash: slashChannel,
};

export function channelOf(config: Pick<KprConfig, 'channel'>): Channel {
  return CHANNELS[config.channel];
}
