/** The validation report of a prepared sending: each point pass / warn / fail, with a stable code. */
export type PointLevel = 'pass' | 'warn' | 'fail';

export interface ValidationPoint {
  code: string;
  level: PointLevel;
  /** A sentence a marketer understands. */
  message: string;
  /** The numbers behind it. */
  data?: Record<string, unknown>;
}

export interface ValidationReport {
  points: ValidationPoint[];
  /** True when a point fails: the sending cannot be prepared as it is. */
  blocking: boolean;
}

export function reportOf(points: ValidationPoint[]): ValidationReport {
  return { points, blocking: points.some((p) => p.level === 'fail') };
}
