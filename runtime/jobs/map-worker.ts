// The mapping worker (see front-end.ts): opens the source and the mapping kpr.yaml names, and
// posts the mapped lines in order, a few hundred at a time, never more than `postsAhead` posts
// ahead of what the transfer has taken.
import { parentPort, workerData } from 'node:worker_threads';
import type { KprConfig } from '../config/load.ts';
import { monthOf } from '../model/month.ts';
import { openSource } from '../sources/index.ts';
import { frontMapped, identityKey, ITEMS_PER_POST, POSTS_AHEAD, type FrontItem, type WorkerInit, type WorkerPost } from './front-end.ts';
import { toCrossing } from './errors.ts';
import { configMapper, unwritableFinding } from './mapper.ts';
import { loadMessageKit } from './message-kit.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (p: WorkerPost) => port.postMessage(p);

let credit = POSTS_AHEAD;
let wake: (() => void) | undefined;
port.on('message', () => {
  credit++;
  wake?.();
  wake = undefined;
});

try {
  const { config } = init;
  const kit = await loadMessageKit(config.message.generatedDir, config.message.spec);
  const mapper = await configMapper(config, kit, init.extractDate);
  const source = openSource(config as KprConfig); // openSource reads only source and dir
  const skip = new Set(init.skip);
  let items: Exclude<WorkerPost, { done: true } | { error: unknown }>['items'] = [];
  const send = async () => {
    while (credit <= 0) await new Promise<void>((resolve) => (wake = resolve));
    credit--;
    post({ items, progress: source.progress() });
    items = [];
  };
  const lines = source.read({ ...init.read, skipFile: (f) => skip.has(identityKey(f)), onFileDone: (f) => items.push({ fileDone: f }) });
  for await (const l of lines) {
    const item: FrontItem =
      l.parseError !== undefined
        ? { file: l.file, line: l.line, parseError: l.parseError, parseRule: l.parseRule }
        : { file: l.file, line: l.line, mapped: frontMapped(mapper.map(l.value, l)) };
    // The object stays here: its JSON (what the transfer stores) and its XML are cheaper to send.
    if (item.mapped?.kind === 'konsultasjon') {
      const m = item.mapped;
      try {
        m.xml = kit.writeKonsultasjon?.(m.konsultasjon).xml;
        delete m.konsultasjon;
      } catch (err) {
        // A record the writer cannot write is held here, with why, and the others go on.
        const month = monthOf(m.day);
        item.mapped = {
          kind: 'rejected',
          sourceId: m.sourceId,
          changedAt: m.changedAt,
          konsultasjonId: m.konsultasjonId,
          ...(month && { month }),
          findings: [unwritableFinding(err)],
        };
      }
    }
    items.push(item);
    if (items.length >= ITEMS_PER_POST) await send();
  }
  if (items.length) await send();
  post({ done: true, progress: source.progress() });
} catch (err) {
  post({ error: toCrossing(err) });
}
