// Types of cairn-process.js, for the tests that start Cairn the way the benchmark does.
export interface CairnProcess {
  pid: number;
  origin: string;
  workers: number;
  stderrTail(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  stop(graceMs?: number): Promise<number | null>;
}

export const SHIPPED_EXCEPTIONS: Record<string, [string, string]>;
export function shippedEnv(options: { dataDir: string; journeysDir: string; smtpUrl: string }): Record<string, string>;
export function cairnEnv(options: { dataDir: string; journeysDir: string; smtpUrl: string }): Record<string, string>;
export function prepareJourneys(repo: string, dir: string): void;
export function runCairn(
  repo: string,
  args: string[],
  env: Record<string, string | undefined>,
  options?: { onSpawn?: (child: import('node:child_process').ChildProcess) => void },
): Promise<string>;
export function argon2idHash(repo: string, password: string): Promise<string>;
export function importUsers(repo: string, env: Record<string, string | undefined>, users: object[], file: string): Promise<string>;
export function startCairn(
  repo: string,
  env: Record<string, string | undefined>,
  options: { logDir: string; workers?: number; extraNodeArgs?: string[]; startTimeoutMs?: number; detached?: boolean },
): Promise<CairnProcess>;
