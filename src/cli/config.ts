/**
 * `cairn config show [--json]`: the effective settings (defaults, config file, environment), with
 * secrets masked and where each value came from; a bad value is reported by name with exit 1.
 */
import { describeSettings, loadSettings, SettingsError } from '../config/settings.js';
import { unknownSubcommand, type Command } from './command.js';

export const configCommand: Command = {
  name: 'config',
  summary: 'Show the effective settings (secrets masked).',
  usage: 'Usage: cairn config <sub-command>\n\nThe settings Cairn runs with: defaults, the config file (CAIRN_CONFIG_FILE) and the environment.',
  subcommands: [
    {
      name: 'show',
      summary: 'Print the effective settings, where each came from, secrets masked.',
      usage: `Usage: cairn config show [--json]

Prints every setting's effective value (secrets masked) and where it came from: default, config
file or environment. A bad value is named, with exit 1.

Options:
  --json   one JSON object of setting → value instead of the table`,
    },
  ],
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'show') return unknownSubcommand(configCommand, sub, io);
    const unknown = rest.filter((a) => a !== '--json');
    if (unknown.length > 0) {
      io.err(`cairn config show: unexpected argument "${unknown[0]}"; the only option is --json.`);
      return 2;
    }
    let settings;
    try {
      settings = loadSettings(io.env, io.cwd);
    } catch (e) {
      if (e instanceof SettingsError) {
        io.err(`cairn config: ${e.message}`);
        return 1;
      }
      throw e;
    }
    const rows = describeSettings(settings);
    if (rest.includes('--json')) {
      io.out(JSON.stringify(Object.fromEntries(rows.map((r) => [r.name, r.value])), null, 2));
      return 0;
    }
    const shown = rows.map((r) => [
      r.env,
      r.value === undefined ? '(unset)' : typeof r.value === 'string' ? r.value : JSON.stringify(r.value),
      r.source,
    ]);
    const widths = [0, 1].map((i) => Math.max(...shown.map((r) => (r[i] as string).length)));
    for (const r of shown) io.out(`${(r[0] as string).padEnd(widths[0] as number)}  ${(r[1] as string).padEnd(widths[1] as number)}  ${r[2]}`);
    return 0;
  },
};
