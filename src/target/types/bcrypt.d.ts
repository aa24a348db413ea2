// Minimal types for bcrypt 6 (the package ships none): only what the target calls.
declare module 'bcrypt' {
  /** Hashes data with the given cost factor. */
  export function hash(data: string, saltOrRounds: number): Promise<string>;
  /** Compares data with a bcrypt hash, in constant time. */
  export function compare(data: string, encrypted: string): Promise<boolean>;
  /** The cost factor of a hash. */
  export function getRounds(encrypted: string): number;
  const bcrypt: { hash: typeof hash; compare: typeof compare; getRounds: typeof getRounds };
  export default bcrypt;
}
