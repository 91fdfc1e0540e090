// `kpr --help` and every command's help: grouped by audience, an example under every command
// whose options and arguments the command really has, required options marked, all missing
// ones named at once, and `kpr --version`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, SUMMARIES } from '../../bin/kpr.ts';
import { REPO_ROOT, runKpr } from '../helpers/cli.ts';

function commands(cmd: Command, path: string[] = []): [string[], Command][] {
  return cmd.commands.filter((c) => c.name() !== 'help').flatMap((c) => [[[...path, c.name()], c] as [string[], Command], ...commands(c, [...path, c.name()])]);
}

function helpOf(cmd: Command): string {
  let out = '';
  cmd.configureOutput({ writeOut: (s) => void (out += s) });
  cmd.outputHelp();
  return out;
}

/** `npx kpr a b --x 1 y > f &` → the words after `kpr`, without redirections and `&`. */
function words(example: string): string[] {
  return example
    .replace(/\s[>|&].*$/, '')
    .replace(/\s&$/, '')
    .split(/\s+/)
    .slice(2);
}

describe('kpr --help', async () => {
  const program = await buildProgram(['node', 'kpr', '--help'], { all: true });
  const all = commands(program);

  it('lists every command without loading their modules, grouped by who uses them', async () => {
    expect(Object.keys(SUMMARIES).sort()).toEqual(
      program.commands
        .map((c) => c.name())
        .filter((n) => n !== 'help')
        .sort(),
    );
    const help = helpOf(await buildProgram(['node', 'kpr', '--help']));
    const at = (s: string) => help.indexOf(s);
    expect(at('Getting started:')).toBeGreaterThan(0);
    expect(at('Getting started:')).toBeLessThan(at('For operators'));
    expect(at('For operators')).toBeLessThan(at("For EPJ vendors' developers:"));
    expect(at("For EPJ vendors' developers:")).toBeLessThan(at('For spec maintainers:'));
    expect(help.slice(at('For operators'), at("For EPJ vendors'"))).toMatch(/\n {2}run .*\n[\s\S]*\n {2}backfill /);
  });

  it.each(all.map(([path, cmd]) => [path.join(' '), cmd] as const))('%s has an example that fits its options and arguments', (name, cmd) => {
    const help = helpOf(cmd);
    const examples = [...help.matchAll(/^ {2}(?:npx )?kpr (.*)$/gm)].map((m) => `npx kpr ${m[1]}`);
    expect(examples.length, `${name} --help shows no example`).toBeGreaterThan(0);
    for (const example of examples) {
      const w = words(example);
      // Walk to the command the example names, then check its options and arguments.
      let at: Command = program;
      for (let sub = at.commands.find((c) => c.name() === w[0]); sub; sub = at.commands.find((c) => c.name() === w[0])) {
        at = sub;
        w.shift();
      }
      const named: Command[] = [];
      for (let c: Command | null = at; c; c = c.parent) named.push(c);
      expect(named, `${example} is not an example of ${name}`).toContain(cmd);
      const positional: string[] = [];
      for (let i = 0; i < w.length; i++) {
        if (!w[i]!.startsWith('-')) {
          positional.push(w[i]!);
          continue;
        }
        const opt = at.options.find((o) => o.long === w[i] || o.short === w[i]);
        expect(opt, `${example}: ${w[i]} is not an option of ${name}`).toBeDefined();
        if (opt!.required || opt!.optional) i++;
      }
      for (const o of at.options.filter((x) => x.mandatory)) expect(w, `${example} lacks the required ${o.long}`).toContain(o.long);
      const args = at.registeredArguments;
      expect(positional.length, example).toBeGreaterThanOrEqual(args.filter((a) => a.required).length);
      if (!args.some((a) => a.variadic)) expect(positional.length, example).toBeLessThanOrEqual(args.length);
    }
  });

  it('marks required options', () => {
    const map = all.find(([p]) => p.join(' ') === 'map')![1];
    expect(helpOf(map).replace(/\s+/g, ' ')).toMatch(/--rejects <file> [^-]*\(required\)/);
  });

  it('names every missing required option at once, and says what kpr --version is', () => {
    const r = runKpr(['map', '--mapping', 'm.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required options not specified: --in <file>, --out <file>, --rejects <file>/);
    const v = runKpr(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });
});
