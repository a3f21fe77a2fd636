// The machine and the versions a run was measured with, for the report.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

function output(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Cores, memory, CPU model, kernel and tool versions (null where a tool is missing). */
export function describeMachine({ pm2Version, supervisordVersion }) {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: totalmem() / 1024 ** 3,
    kernel: release(),
    os: (() => {
      try {
        return /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
      } catch {
        return 'Linux';
      }
    })(),
    node: process.version,
    npm: output('npm', ['--version']),
    git: output('git', ['--version'])?.replace('git version ', '') ?? null,
    pm2: pm2Version,
    supervisord: supervisordVersion,
    date: new Date().toISOString(),
  };
}
