// Types of chart.js, for its tests.
export interface CurvePoint {
  share: number;
  offered: number | null;
  achieved: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number;
  dropped: number;
  serverCores?: number | null;
}

export interface Curve {
  name: string;
  unit: string;
  max?: number | null;
  pointSeconds?: number;
  limit: { name: string; value: number | null } | null;
  target: { ratio: number; value: number | null } | null;
  p99TargetMs?: number;
  points: CurvePoint[];
}

export function escapeXml(text: unknown): string;
export function chartSvg(curves: { login?: Curve; profile?: Curve }, about?: { date?: string; machine?: string; quick?: boolean }): string;
