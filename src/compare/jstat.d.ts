// The part of jstat (no published types) that the regression gate uses.
declare module 'jstat' {
  interface JStat {
    studentt: { cdf(x: number, dof: number): number; inv(p: number, dof: number): number };
    normal: { cdf(x: number, mean: number, sd: number): number; inv(p: number, mean: number, sd: number): number };
    beta: { inv(p: number, a: number, b: number): number };
    binomial: { cdf(k: number, n: number, p: number): number };
  }
  const pkg: { jStat: JStat };
  export default pkg;
}
