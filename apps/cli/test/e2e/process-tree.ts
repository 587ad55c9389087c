import { execFileSync } from 'node:child_process';

/** Every descendant pid of `pid`, from ps. */
export function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const result: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      result.push(c);
      walk(c);
    }
  };
  walk(pid);
  return result;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
