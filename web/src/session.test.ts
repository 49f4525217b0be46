import { expect, test } from 'vitest'

import { returnPath } from './session'

test('returnPath keeps to this site, as shared/links.ReturnPath does', () => {
  const cases: [string | undefined, string][] = [
    ['/servicii/3f1c/9a2b', '/servicii/3f1c/9a2b'],
    ['/cereri?pagina=2#sus', '/cereri?pagina=2#sus'],
    [undefined, ''],
    ['', ''],
    ['servicii', ''],
    ['https://evil.example/', ''],
    ['//evil.example/x', ''],
    ['/\\evil.example', ''],
    ['/servicii\\..\\x', ''],
    ['/a\nb', ''],
    ['/a\tb', ''],
    ['/' + 'a'.repeat(1000), ''],
  ]
  for (const [next, want] of cases) expect(returnPath(next), JSON.stringify(next)).toBe(want)
})
