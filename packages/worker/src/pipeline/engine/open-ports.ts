import type { Result } from '@repovisor/kit';
import type { PipelineSettings } from '@repovisor/protocol';
import type { WorkerLogger } from '../../log/worker-logger.js';
import { LocalChangeHost } from '../git/local-change-host.js';
import type { ChangeHost } from './change-host.js';
import { LOCAL_SOURCE } from './task-source.js';
import type { TaskSource } from './task-source.js';

/** A repo's task source and change host, as `pipeline.source` says. */
export interface PipelinePorts {
  source: TaskSource;
  host: ChangeHost;
}

/** What opening the ports needs. */
export interface PortsOptions {
  settings: PipelineSettings;
  repoPath: string;
  dataRoot: string;
  logger: WorkerLogger;
}

/**
 * Opens the task source and change host of `pipeline.source`; fails, saying
 * how to fix it, when they cannot work (a missing remote, a bad token).
 */
export async function openPorts(options: PortsOptions): Promise<Result<PipelinePorts, { message: string }>> {
  const { settings, repoPath, dataRoot, logger } = options;
  switch (settings.source) {
    case 'local': {
      const opened = await LocalChangeHost.open({
        repoPath,
        dataRoot,
        remote: settings.remote,
        baseBranch: settings.base_branch,
        onCorruptRecord: (movedTo, reason) => logger.warn({ movedTo, reason }, 'a change record was unreadable; moved aside'),
      });
      if (!opened.ok) return opened;
      return { ok: true, source: LOCAL_SOURCE, host: opened.host };
    }
    case 'github':
      return { ok: false, message: 'source: github is not in this version of the worker; use source: local' };
    default:
      return unreachable(settings.source);
  }
}

function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
