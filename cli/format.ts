// Small formatting helpers shared by the commands' human-readable output.
export const formatPercent = (fraction: number, digits = 2): string =>
  Number.isFinite(fraction) ? `${(100 * fraction).toFixed(digits)}%` : '-';
