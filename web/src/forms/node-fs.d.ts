// The forms' tests read the seeded request forms from disk (fixtures.ts),
// and the project has no Node types (@types/node is not a dependency):
// this declares the two functions they use, as Node defines them.
declare module 'node:fs' {
  export function readdirSync(path: string): string[]
  export function readFileSync(path: string, encoding: 'utf8'): string
}
