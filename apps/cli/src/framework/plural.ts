/** "1 step", "2 steps", "0 steps": a count with its noun in the right number, for messages. */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
