// The final table and verdict.
import { cpus, totalmem } from 'node:os';

const MiB = 1024 * 1024;

/** `12.3` for bytes in MiB. */
export function mib(bytes) {
  return (bytes / MiB).toFixed(1);
}

/** Prints the one table of the run; returns the list of reasons the run failed (empty when it passed). */
export function printReport(tally, options, startedAt) {
  const load = tally.load;
  const rows = [
    ['faults injected', tally.faultsInjected, ''],
    ['faults survived', tally.faultsSurvived, `= ${tally.faultsInjected}`],
    ['registered repos lost', tally.lostRepos.size, '0'],
    ['bad inputs tried', tally.badInputsTried, ''],
    ['handled with a clear error', tally.badInputsHandled, `= ${tally.badInputsTried}`],
    ['processes left behind', tally.leftBehind, '0'],
  ];
  if (load.repos !== undefined) {
    rows.push(
      [`load: repos × minutes (probe every ${load.intervalMs} ms)`, `${load.repos} × ${load.minutes}`, ''],
      ['load: probes answered / failed', `${load.probesOk} / ${load.probesFailed}`, 'failed 0'],
      ['load: workers restarted during the load', load.restarts, '0'],
      ['load: supervisor RSS min / max / trend (MiB)', `${mib(load.rssMin)} / ${mib(load.rssMax)} / ${load.rssGrowth >= 0 ? '+' : ''}${mib(load.rssGrowth)}`, `max ≤ ${mib(load.rssBound)}`],
      ['load: GET /api/repos p50 / p99 / max (ms)', `${load.listP50} / ${load.listP99} / ${load.listMax} (${load.listCount} calls)`, 'reported'],
    );
  }
  if (load.raceCalls !== undefined) {
    rows.push(
      [`race: ${load.raceCalls} adds/deletes → 201 / 409 / 200 / 404`, `${load.race201} / ${load.race409} / ${load.race200} / ${load.race404}`, ''],
      ['race: registry = answers = processes', load.raceConsistent ? 'yes' : 'NO', 'yes'],
    );
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  const valueWidth = Math.max(...rows.map(([, value]) => String(value).length), 5);
  const mustWidth = Math.max(...rows.map(([, , must]) => must.length), 7);
  const line = (a, b, c) => `| ${a.padEnd(width)} | ${String(b).padStart(valueWidth)} | ${c.padEnd(mustWidth)} |`;
  console.log('\n' + line('measure', 'value', 'must be'));
  console.log(`|${'-'.repeat(width + 2)}|${'-'.repeat(valueWidth + 2)}|${'-'.repeat(mustWidth + 2)}|`);
  for (const [name, value, must] of rows) console.log(line(name, value, must));
  const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
  console.log(`\nper group (faults survived/injected, inputs handled/tried): ${tally.groups().map(([group, c]) => `${group} ${c.survived}/${c.faults}, ${c.handled}/${c.inputs}`).join('; ')}`);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${mib(totalmem())} MiB, node ${process.version}, ${process.platform}; run took ${minutes} min; flags: ${JSON.stringify({ quick: options.quick, repos: options.repos, minutes: options.minutes, only: options.only ?? 'all' })}`);

  const reasons = [];
  if (tally.faultsSurvived !== tally.faultsInjected) reasons.push(`${tally.faultsInjected - tally.faultsSurvived} fault(s) not survived`);
  if (tally.lostRepos.size > 0) reasons.push(`${tally.lostRepos.size} registered repo(s) lost`);
  if (tally.badInputsHandled !== tally.badInputsTried) reasons.push(`${tally.badInputsTried - tally.badInputsHandled} bad input(s) not handled`);
  if (tally.leftBehind > 0) reasons.push(`${tally.leftBehind} process(es) left behind`);
  const steps = tally.failures.filter((failure) => failure.kind === 'step' || failure.kind === 'load');
  if (steps.length > 0) reasons.push(`${steps.length} other check(s) failed`);
  if (tally.notes.length > 0) console.log(`\nnotes:\n${tally.notes.map((note) => `  - ${note}`).join('\n')}`);
  if (tally.failures.length > 0) {
    console.log('\nwhat did not hold:');
    for (const failure of tally.failures) console.log(`  - [${failure.group}] ${failure.kind} "${failure.name}": ${failure.message}`);
  }
  console.log(reasons.length === 0 ? '\nPASS: every fault survived, nothing lost, every bad input handled, nothing left behind.' : `\nFAIL: ${reasons.join('; ')}.`);
  return reasons;
}
