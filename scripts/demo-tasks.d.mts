/** A call to the supervisor's API with its token: the answer's status and JSON body. */
export type ApiCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;

/** What each pipeline repo is given by the demo. */
export const DEMO_TASKS: { title: string; body: string }[];

/** Waits until the supervisor with pid `pid` answers on the address its home publishes; a client of its API. */
export function supervisorClient(home: string, pid: number, isRunning: () => boolean): Promise<ApiCall>;

/** Seeds DEMO_TASKS in every pipeline repo that has no task yet; what was done, a line per repo. */
export function seedDemoTasks(call: ApiCall): Promise<string[]>;
