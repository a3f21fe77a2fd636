// The suite's command-line flags.
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run test:faults -- [--quick] [--repos N] [--minutes N] [--only group,group] [--keep]

  --quick        a short run: fewer kills, 10 repos for 15 s of load
  --repos N      repos under the load supervisor (default 50)
  --minutes N    how long the load runs, in minutes (default 3; fractions allowed)
  --only LIST    run only these groups: kills, supervisor-crash, corruption, control-port, http-api, config-files, worker-env, load
  --keep         keep the temporary folder (its path is printed)`;

/** Reads the flags; exits 2 with the usage on a bad one. */
export function readOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        repos: { type: 'string' },
        minutes: { type: 'string' },
        only: { type: 'string' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`test:faults: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name, text, fallback, min) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) {
      console.error(`test:faults: --${name} must be a number of at least ${min}, got ${JSON.stringify(text)}\n${USAGE}`);
      process.exit(2);
    }
    return value;
  };
  const quick = values.quick;
  return {
    quick,
    keep: values.keep,
    only: values.only === undefined ? undefined : values.only.split(',').map((name) => name.trim()),
    repos: Math.round(number('repos', values.repos, quick ? 10 : 50, 1)),
    minutes: number('minutes', values.minutes, quick ? 0.25 : 3, 0.05),
    kills: quick ? 4 : 12,
    stops: quick ? 1 : 2,
    supervisorKills: quick ? 1 : 3,
    burstKills: quick ? 1 : 3,
    floodLines: quick ? 500 : 5000,
    raceCalls: 100,
  };
}
