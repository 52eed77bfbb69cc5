// Demo residents the server seeds (openid demo-resident-01 .. demo-resident-30); H5 dev login only.
export const DEMO_RESIDENTS: string[] = Array.from(
  { length: 30 },
  (_, i) => `demo-resident-${String(i + 1).padStart(2, '0')}`,
);
export const DEFAULT_DEMO_RESIDENT = DEMO_RESIDENTS[0];
