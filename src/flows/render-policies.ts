/**
 * Generated policies → readable YAML: each document with a comment saying what it protects, and each rule with
 * the observed flows that justify it (count, first and last seen). Pure; built with the `yaml` Document API so
 * that the comments sit on the nodes they describe.
 */
import { Document, isMap, isSeq, type YAMLMap } from 'yaml'
import type { GeneratedPolicy } from './generate-policies.js'

/** One policy as a YAML document (without `---`). */
export function renderPolicy(p: GeneratedPolicy): string {
  const doc = new Document(p.manifest)
  doc.commentBefore = indentComment(p.comment)
  for (const direction of ['ingress', 'egress'] as const) {
    const seq = doc.getIn(['spec', direction], true)
    if (!isSeq(seq)) continue
    seq.items.forEach((item, i) => {
      const comment = p.ruleComments[direction][i]
      if (comment !== undefined && isMap(item)) (item as YAMLMap).commentBefore = indentComment(comment)
    })
  }
  // selectors and ports read best on one line each: {app: web}, {protocol: TCP, port: 8080}
  flowStyle(doc.getIn(['spec', 'podSelector'], true))
  flowStyle(doc.getIn(['spec', 'policyTypes'], true))
  for (const direction of ['ingress', 'egress'] as const) {
    const seq = doc.getIn(['spec', direction], true)
    if (!isSeq(seq)) continue
    for (const rule of seq.items) {
      if (!isMap(rule)) continue
      for (const field of ['from', 'to']) {
        const peers = rule.get(field, true)
        if (isSeq(peers)) for (const peer of peers.items) if (isMap(peer)) for (const pair of peer.items) flowStyle(pair.value)
      }
      const ports = rule.get('ports', true)
      if (isSeq(ports)) for (const port of ports.items) flowStyle(port)
    }
  }
  return doc.toString({ lineWidth: 0 })
}

/** Every policy as one multi-document YAML stream. */
export function renderPolicies(policies: readonly GeneratedPolicy[]): string {
  return policies.map(renderPolicy).join('---\n')
}

function flowStyle(node: unknown): void {
  if (isMap(node) || isSeq(node)) node.flow = true
}

/** The yaml library writes `#` before each line of a comment; a leading space keeps `# text` readable. */
function indentComment(text: string): string {
  return text
    .split('\n')
    .map((l) => ` ${l}`)
    .join('\n')
}
