// How `kpr --help` reads: commands grouped by who uses them, an example under every command,
// required options marked, and every missing required option named at once. One table here
// rather than in each module, so the help has one voice and one order.
import type { Command, Option } from 'commander';

/** Audience headings, in the order `kpr --help` shows them, each with its commands in order. */
const GROUPS: [heading: string, commands: string[]][] = [
  ['Getting started:', ['demo', 'init']],
  ['For operators (the daily transfer):', ['run', 'backfill', 'status', 'errors', 'report', 'resend', 'store', 'tenants', 'token', 'cert']],
  ["For EPJ vendors' developers:", ['mapping', 'map', 'sandbox', 'xml', 'demo-data', 'seal', 'unseal', 'slash']],
  ['For spec maintainers:', ['spec']],
];

/** Examples by command path; each pastes and runs from the clone's folder. */
const EXAMPLES: Record<string, string[]> = {
  demo: ['npx kpr demo', 'npx kpr demo --children 50 --days 1'],
  init: ['npx kpr init --profile sandbox --dir my-setup', 'npx kpr init --dir /etc/kpr-kit', 'npx kpr init > kpr.yaml'],
  run: ['npx kpr run --config my-setup/kpr.yaml', 'npx kpr run --config my-setup/kpr.yaml --dry-run --out /tmp/dry', 'npx kpr run --config vendor/tenants.yaml --tenant oslo'],
  backfill: ['npx kpr backfill --config my-setup/kpr.yaml', 'npx kpr backfill --config my-setup/kpr.yaml --from 2024-01-01 --to 2024-12-31'],
  status: [
    'npx kpr status --config my-setup/kpr.yaml',
    'npx kpr status --config my-setup/kpr.yaml --format json',
    'npx kpr status --config vendor/tenants.yaml',
    'npx kpr status --config vendor/tenants.yaml --tenant oslo',
  ],
  errors: [
    'npx kpr errors --config my-setup/kpr.yaml',
    'npx kpr errors --config my-setup/kpr.yaml --format csv > errors.csv',
    'npx kpr errors --config vendor/tenants.yaml --format json',
  ],
  report: ['npx kpr report --config my-setup/kpr.yaml --html report.html', 'npx kpr report --config vendor/tenants.yaml --html report/'],
  resend: ['npx kpr resend --config my-setup/kpr.yaml 0f8e6b1c-2a4d-4e8f-9b7a-3c5d6e7f8a9b', 'npx kpr resend --config vendor/tenants.yaml --tenant bergen'],
  store: ['npx kpr store migrate --schema --to postgresql://kpr@db.example/kpr'],
  'store migrate': [
    'npx kpr store migrate --schema --to postgresql://kpr@db.example/kpr',
    'npx kpr store migrate --from my-setup/kpr.db --to postgresql://kpr@db.example/kpr',
    'npx kpr store migrate --schema --config examples/tenants/tenants.yaml',
  ],
  tenants: ['npx kpr tenants check --config examples/tenants/tenants.yaml'],
  enqueue: [
    'npx kpr enqueue run --config examples/tenants/tenants.yaml',
    'npx kpr enqueue backfill --config examples/tenants/tenants.yaml --tenant oslo --from 2017-01-01 --to 2026-11-30',
  ],
  worker: ['npx kpr worker --config examples/tenants/tenants.yaml', 'npx kpr worker --config examples/tenants/tenants.yaml --id batch-1 --drain --lease 30s'],
  queue: ['npx kpr queue list --config examples/tenants/tenants.yaml', 'npx kpr queue migrate --config examples/tenants/tenants.yaml'],
  'queue list': ['npx kpr queue list --config examples/tenants/tenants.yaml --tenant oslo', 'npx kpr queue list --config examples/tenants/tenants.yaml --format json'],
  'queue migrate': ['npx kpr queue migrate --config examples/tenants/tenants.yaml'],
  'tenants check': ['npx kpr tenants check --config examples/tenants/tenants.yaml', 'npx kpr tenants check --config examples/tenants/tenants.yaml --format json'],
  token: ['npx kpr token --config my-setup/kpr.yaml', 'npx kpr token --config my-setup/kpr.yaml --raw'],
  cert: ['npx kpr cert inspect --config my-setup/kpr.yaml', 'npx kpr cert inspect my-setup/sandbox/pki/sender-sign.pem'],
  'cert inspect': ['npx kpr cert inspect --config my-setup/kpr.yaml', 'npx kpr cert inspect my-setup/sandbox/pki/sender-sign.pem --format json'],
  'cert test-pki': ['npx kpr cert test-pki --dir /tmp/test-pki'],
  mapping: ['npx kpr mapping template hst@56.0.0 > mapping.yaml', 'npx kpr mapping compile examples/demo-epj/mapping.yaml'],
  'mapping template': ['npx kpr mapping template hst@56.0.0 > mapping.yaml'],
  'mapping compile': ['npx kpr mapping compile examples/demo-epj/mapping.yaml'],
  'mapping check': ['npx kpr mapping check examples/demo-epj/mapping.yaml --spec hst@57.0.0'],
  map: ['npx kpr map --mapping examples/demo-epj/mapping.yaml --in /tmp/epj.ndjson --out /tmp/k.ndjson --rejects /tmp/rejects.ndjson'],
  sandbox: ['npx kpr sandbox --data my-setup/sandbox &', 'kill $(cat my-setup/sandbox/sandbox.pid)', 'npx kpr sandbox --port 8443 --data /tmp/sbx --fail-500 2'],
  xml: ['npx kpr xml --spec hst@56.0.0 --in examples/hst/melding.json --out /tmp/melding.xml', 'npx kpr xml --spec hst@56.0.0 --to-json --in /tmp/melding.xml'],
  seal: [
    'npx kpr seal --in /tmp/melding.xml --out /tmp/melding.p7m --recipient-cert my-setup/sandbox/pki/receiver-enc.pem --sign-cert my-setup/sandbox/pki/sender-sign.pem --sign-key my-setup/sandbox/pki/sender-sign.key',
  ],
  unseal: [
    'npx kpr unseal --in /tmp/melding.p7m --out /tmp/back.xml --recipient-cert my-setup/sandbox/pki/receiver-enc.pem --recipient-key my-setup/sandbox/pki/receiver-enc.key --expect-signer my-setup/sandbox/pki/sender-sign.pem',
  ],
  slash: ['npx kpr slash keys --base-url http://127.0.0.1:8089 > keys.json', 'npx kpr slash encrypt --key keys.json --in avtale.json --out sealed.json'],
  'slash keys': ['npx kpr slash keys --base-url http://127.0.0.1:8089 > keys.json'],
  'slash encrypt': ['npx kpr slash encrypt --key keys.json --in avtale.json --out sealed.json'],
  'slash decrypt': ['npx kpr slash decrypt --private-key receiver.key --message sealed.json --out avtale.json'],
  'slash proof': ['npx kpr slash proof --in proof.jwt'],
  spec: ['npx kpr spec lint', 'npx kpr spec build', 'npx kpr spec new hst 57.0.0 --from 56.0.0 --valid-from 2027-01-01'],
  'spec lint': ['npx kpr spec lint', 'npx kpr spec lint spec/hst/56.0.0.yaml --format json'],
  'spec build': ['npx kpr spec build'],
  'spec check': ['npx kpr spec check'],
  'spec import': ['npx kpr spec import --from ../DHHR.API/message-spesifications/hst-56.0.0 --message hst --out /tmp/spec'],
  'spec diff': ['npx kpr spec diff hst@56.0.0 hst@57.0.0', 'npx kpr spec diff hst@56.0.0 spec/hst/57.0.0.yaml --format md --fail-on breaking'],
  'spec new': ['npx kpr spec new hst 57.0.0 --from 56.0.0 --valid-from 2027-01-01'],
};

const pathOf = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

function walk(cmd: Command, visit: (c: Command) => void): void {
  visit(cmd);
  for (const sub of cmd.commands) walk(sub, visit);
}

/** Every missing required option of `cmd` in one message, not one per attempt. */
function allMissing(cmd: Command): void {
  const named = cmd as unknown as { missingMandatoryOptionValue(o: Option): void };
  named.missingMandatoryOptionValue = () => {
    const missing = cmd.options.filter((o) => o.mandatory && cmd.getOptionValue(o.attributeName()) === undefined).map((o) => o.flags);
    cmd.error(`error: required option${missing.length > 1 ? 's' : ''} not specified: ${missing.join(', ')}`, { code: 'commander.missingMandatoryOptionValue', exitCode: 2 });
  };
}

/** Applies the groups, examples and required marks to the assembled program. */
export function finishHelp(program: Command): void {
  const order = GROUPS.flatMap(([, names]) => names);
  const commands = program.commands as Command[];
  commands.sort((a, b) => rank(order, a.name()) - rank(order, b.name()));
  for (const [heading, names] of GROUPS) for (const c of commands) if (names.includes(c.name())) c.helpGroup(heading);
  walk(program, (cmd) => {
    for (const o of cmd.options) if (o.mandatory && !o.description.endsWith('(required)')) o.description = `${o.description} (required)`;
    if (cmd.parent) allMissing(cmd);
    const examples = EXAMPLES[pathOf(cmd)];
    if (examples) cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
  });
}

function rank(order: string[], name: string): number {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
}

/** Paths of commands that have examples: the help test checks every command has one. */
export const COMMANDS_WITH_EXAMPLES = Object.keys(EXAMPLES);
