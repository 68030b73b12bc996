/** The part of server-steps.js the tests use (see the JSDoc there). */
export interface StepsBetween {
  steps: number;
  withinMs: number;
  withinShare: number | null;
  p99AtMostMs: number | null;
  lastBoundMs: number | null;
}
export function stepsBetween(before: Map<number, number>, after: Map<number, number>, withinMs?: number): StepsBetween;
export function describeServerSteps(s: StepsBetween): string;
