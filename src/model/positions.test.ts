import { describe, expect, test } from 'vitest'
import { createLocator, locate } from './positions.js'

const YAML = `# a comment
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-web
  namespace: shop
spec:
  podSelector: {}
  ingress:
    - from:
        - podSelector: { matchLabels: { app: web } }
        - ipBlock:
            cidr: 10.1.0.0/16
            except:
              - 10.2.0.0/16
      ports:
        - port: "80"
---
kind: Pod
metadata:
  name: p
`

const JSON_TEXT = `{
  "kind": "List",
  "items": [
    {
      "kind": "NetworkPolicy",
      "metadata": { "name": "x" },
      "spec": {
        "ingress": [ { "ports": [ { "port": 0 } ] } ]
      }
    }
  ]
}
`

describe('YAML', () => {
  test.each([
    { name: 'a scalar is placed at its value', doc: 0, path: ['spec', 'ingress', 0, 'from', 1, 'ipBlock', 'except', 0], line: 15, column: 17 },
    { name: 'cidr value', doc: 0, path: ['spec', 'ingress', 0, 'from', 1, 'ipBlock', 'cidr'], line: 13, column: 19 },
    { name: 'a quoted scalar', doc: 0, path: ['spec', 'ingress', 0, 'ports', 0, 'port'], line: 17, column: 17 },
    { name: 'a flow map value', doc: 0, path: ['spec', 'ingress', 0, 'from', 0, 'podSelector', 'matchLabels', 'app'], line: 11, column: 46 },
    { name: 'a list item', doc: 0, path: ['spec', 'ingress', 0, 'from', 1], line: 12, column: 11 },
    { name: 'a map reached by key is placed at the key', doc: 0, path: ['spec', 'ingress', 0, 'from', 1, 'ipBlock'], line: 12, column: 11 },
    { name: 'a missing field: deepest existing ancestor', doc: 0, path: ['spec', 'ingress', 0, 'from', 1, 'ipBlock', 'nope'], line: 12, column: 11 },
    { name: 'a missing field under metadata', doc: 1, path: ['metadata', 'namespace'], line: 20, column: 1 },
    { name: 'the second document', doc: 1, path: ['metadata', 'name'], line: 21, column: 9 },
    { name: 'the empty path is the document start', doc: 0, path: [], line: 2, column: 1 },
  ])('$name', ({ doc, path, line, column }) => {
    expect(locate(YAML, doc, path)).toEqual({ line, column })
  })

  test('a document that does not exist', () => {
    expect(locate(YAML, 5, ['kind'])).toBeUndefined()
  })
})

describe('JSON', () => {
  const at = createLocator(JSON_TEXT)
  test.each([
    { name: 'a number inside a List item', path: ['items', 0, 'spec', 'ingress', 0, 'ports', 0, 'port'], line: 8, column: 45 },
    { name: 'a string', path: ['items', 0, 'metadata', 'name'], line: 6, column: 29 },
    { name: 'a missing field', path: ['items', 0, 'metadata', 'namespace'], line: 6, column: 7 },
  ])('$name', ({ path, line, column }) => {
    expect(at(0, path)).toEqual({ line, column })
  })
})
