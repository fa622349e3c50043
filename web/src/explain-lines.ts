/**
 * `/api/check` JSON (exactly `netpol check -o json`) in the lines `netpol check` prints: the verdict, then each
 * side with the policies that isolate it and the rule, peer and port that allowed it, or every policy's misses.
 * The words come from the i18n table; the structure is the CLI's (src/cli/render/verdict-text.ts).
 */
import { t } from './i18n.js'
import { SHORT_KIND } from '../../src/model/cluster-policy.js'

type Ref = { namespace: string; name: string }
interface Requirement { key: string; operator: string; values?: string[]; fromMatchLabels?: boolean }
interface Hit { policy: Ref; direction: 'ingress' | 'egress'; rule: number; peer: number | 'any'; port: number | 'any'; resolvedPort?: number; peerText?: string; portText?: string }
type PeerMiss = { code: string; peer: number; peerText?: string; [k: string]: unknown }
type PortMiss = { code: string; port: number; portText?: string; [k: string]: unknown }
interface RuleMiss { rule: number; peers: { ok: true; peer: number | 'any'; peerText?: string } | { ok: false; misses: PeerMiss[] }; ports: { ok: true; port: number | 'any'; portText?: string } | { ok: false; misses: PortMiss[] } }
type ClusterRef = { kind: string; name: string }
/** A cluster policy rule that decided a side (src/engine/verdict.ts ClusterStep, with its words) */
interface Step { policy: ClusterRef; direction: 'ingress' | 'egress'; rule: number; action: string; peer: number; port: number | 'any'; peerText?: string; portText?: string }
/**
 * A side as the engine decides it: the NetworkPolicy kinds, and with cluster policies `admin`, `admin-pass`,
 * `baseline` and `dns`, each with `text`, its chain in words. A kind this page does not know is shown by its text.
 */
interface Side {
  kind: string
  isolatedBy?: Ref[]
  allowedBy?: Hit[]
  misses?: { policy: Ref; rules: RuleMiss[] }[]
  unmatched?: ClusterRef[]
  step?: Step
  pass?: Step
  then?: Side
  ifResolved?: Side
  otherwise?: Side
  text?: string
}
interface Flow { from: string; to: string; fromIp: string | null; toIp: string | null; port: number; protocol: string; via?: string; allowed: boolean; egress: Side; ingress: Side; notes: { code: string; pod?: string; replicas?: number | 'per-node' }[] }
export interface CheckJson { allowed: boolean; results: Flow[] }

const ref = (r: Ref) => `${r.namespace}/${r.name}`
/** "cnp/deny-web-to-db", as netpol writes a cluster policy */
const clusterRef = (r: ClusterRef) => `${(SHORT_KIND as Record<string, string>)[r.kind] ?? r.kind}/${r.name}`
/** "to[0]" with the peer's words after it when the server gave them, as `netpol check` prints it */
const named = (index: string, words: string | undefined) => (words ? `${index} ${words}` : index)

export function requirementText(r: Requirement): string {
  const vals = r.values ?? []
  switch (r.operator) {
    case 'In':
      return vals.length === 1 ? `${r.key}=${vals[0]}` : `${r.key} in (${vals.join(', ')})`
    case 'NotIn':
      return vals.length === 1 ? `${r.key}!=${vals[0]}` : `${r.key} notin (${vals.join(', ')})`
    case 'Exists':
      return r.key
    case 'DoesNotExist':
      return `!${r.key}`
    default:
      return `${r.key} ${r.operator} ${vals.join(', ')}`
  }
}

const labelsText = (l: unknown) => `{${Object.entries((l ?? {}) as Record<string, string>).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(', ')}}`
const wants = (m: PeerMiss) => ((m.failed ?? []) as Requirement[]).map(requirementText).join(', ')

export function peerMissText(m: PeerMiss): string {
  const s = (k: string) => String(m[k] ?? '')
  switch (m.code) {
    case 'not-a-pod': return t('miss.notAPod', { ip: s('ip') })
    case 'other-namespace': return t('miss.otherNamespace', { ns: s('podNamespace'), policyNs: s('policyNamespace') })
    case 'namespace-labels': return t('miss.namespaceLabels', { ns: s('namespace'), labels: labelsText(m.labels), wants: wants(m) })
    case 'pod-labels': return t('miss.podLabels', { pod: s('pod'), labels: labelsText(m.labels), wants: wants(m) })
    case 'no-ip': return t('miss.noIp', { pod: s('pod') || '?', cidr: s('cidr') })
    case 'ip-outside': return t('miss.ipOutside', { ip: s('ip'), cidr: s('cidr') })
    case 'ip-excepted': return t('miss.ipExcepted', { ip: s('ip'), cidr: s('cidr'), except: s('except') })
    default: return m.code
  }
}

export function portMissText(m: PortMiss): string {
  const s = (k: string) => String(m[k] ?? '')
  switch (m.code) {
    case 'protocol': return t('miss.protocol', { want: s('want'), got: s('got') })
    case 'number': return m.from === m.to ? t('miss.portNumber', { want: s('from'), got: s('got') }) : t('miss.portRange', { from: s('from'), to: s('to'), got: s('got') })
    case 'named-not-a-pod': return t('miss.namedNotAPod', { name: s('name') })
    case 'named-undefined': return t('miss.namedUndefined', { pod: s('pod'), protocol: s('protocol'), name: s('name') })
    case 'named-other-number': return t('miss.namedOther', { name: s('name'), resolved: ((m.resolved ?? []) as number[]).join(', '), pod: s('pod'), got: s('got') })
    default: return m.code
  }
}

function hitText(hit: Hit): string {
  const field = hit.direction === 'ingress' ? 'from' : 'to'
  const peer = hit.peer === 'any' ? t(field === 'from' ? 'why.anySource' : 'why.anyDestination') : named(`${field}[${hit.peer}]`, hit.peerText)
  const port = hit.port === 'any' ? t('why.anyPort') : `${named(`ports[${hit.port}]`, hit.portText)}${hit.resolvedPort !== undefined ? ` → ${hit.resolvedPort}` : ''}`
  return `${ref(hit.policy)} ${hit.direction}[${hit.rule}]: ${peer}, ${port}`
}

export type Line = { readonly text: string; readonly cls?: string; readonly indent: number }

/** Does the side allow? (a Pass leaves it to what follows; a tier's Accept, or ANP Allow, allows) */
function sideAllows(v: Side): boolean {
  switch (v.kind) {
    case 'admin':
    case 'baseline': return v.step?.action !== 'Deny'
    case 'admin-pass': return v.then ? sideAllows(v.then) : false
    case 'denied': return false
    default: return true
  }
}

/** `from[0] namespaces kubernetes.io/metadata.name=web, ports[0] 8080/TCP`: the peer and port of a step */
function stepLine(s: Step): Line {
  const field = s.direction === 'ingress' ? 'from' : 'to'
  const port = s.port === 'any' ? t('why.anyPort') : `ports[${s.port}] ${s.portText ?? ''}`
  return { text: `${clusterRef(s.policy)} ${s.direction}[${s.rule}]: ${field}[${s.peer}] ${s.peerText ?? ''}, ${port}`, cls: 'hit', indent: 2 }
}

/** A side the cluster policy tiers decided: the chain, then each tier step's peer and port (as `netpol check`). */
function tierLines(dir: 'ingress' | 'egress', title: string, v: Side): Line[] {
  if (v.kind === 'dns') return [{ text: `${title}: ${t('why.dependsOnDns')} — ${v.text ?? ''}`, cls: 'bad', indent: 1 }]
  const allowed = sideAllows(v)
  const out: Line[] = [{ text: `${title}: ${t(allowed ? 'why.allowed' : 'why.denied')} — ${v.text ?? v.kind}`, cls: allowed ? 'ok' : 'bad', indent: 1 }]
  const steps = v.kind === 'admin-pass' ? [v.pass, v.then?.kind === 'baseline' ? v.then.step : undefined] : [v.step]
  for (const s of steps) if (s) out.push(stepLine(s))
  // a Pass whose NetworkPolicy answer decided: that answer's detail, without its heading
  if (v.kind === 'admin-pass' && v.then && v.then.kind !== 'baseline') out.push(...sideLines(dir, title, v.then).slice(1))
  return out
}

function sideLines(dir: 'ingress' | 'egress', title: string, v: Side): Line[] {
  const ok = (s: string): Line[] => [{ text: `${title}: ${t('why.allowed')} — ${s}`, cls: 'ok', indent: 1 }]
  switch (v.kind) {
    case 'admin':
    case 'admin-pass':
    case 'baseline':
    case 'dns':
      return tierLines(dir, title, v)
    case 'not-a-pod': return ok(t('why.notAPod'))
    case 'not-isolated': {
      const asked = v.unmatched?.length ? t('why.clusterUnmatched', { policies: v.unmatched.map(clusterRef).join(', ') }) : ''
      return ok(`${t('why.notIsolated', { type: dir === 'ingress' ? 'Ingress' : 'Egress' })}${asked}`)
    }
    case 'self': return ok(t('why.self'))
    case 'from-node': return ok(t('why.fromNode'))
    case 'allowed':
      return [
        { text: `${title}: ${t('why.allowed')}`, cls: 'ok', indent: 1 },
        { text: `${t('why.isolatedBy')} ${(v.isolatedBy ?? []).map(ref).join(', ')}`, indent: 2 },
        ...(v.allowedBy ?? []).map((hit) => ({ text: `${t('why.allowedBy')} ${hitText(hit)}`, cls: 'hit', indent: 2 })),
      ]
    case 'denied': {
      const out: Line[] = [
        { text: `${title}: ${t('why.denied')}`, cls: 'bad', indent: 1 },
        { text: `${t('why.isolatedBy')} ${(v.isolatedBy ?? []).map(ref).join(', ')}; ${t('why.noRule')}`, indent: 2 },
      ]
      const field = dir === 'ingress' ? 'from' : 'to'
      for (const m of v.misses ?? []) {
        if (m.rules.length === 0) {
          out.push({ text: `${ref(m.policy)}: ${t('why.onlyIsolates', { dir })}`, indent: 2 })
          continue
        }
        for (const r of m.rules) {
          out.push({ text: `${ref(m.policy)} ${dir}[${r.rule}]:`, indent: 2 })
          if (r.peers.ok) out.push({ text: `✓ ${r.peers.peer === 'any' ? t('why.noPeerList', { field }) : t('why.peerMatches', { peer: `${field}[${r.peers.peer}]` })}`, cls: 'ok', indent: 3 })
          else {
            const byPeer = new Map<number, PeerMiss[]>()
            for (const pm of r.peers.misses) byPeer.set(pm.peer, [...(byPeer.get(pm.peer) ?? []), pm])
            for (const [i, ms] of byPeer) {
              out.push({ text: `${named(`${field}[${i}]`, ms[0]!.peerText)}:`, indent: 3 })
              for (const pm of ms) out.push({ text: `✗ ${peerMissText(pm)}`, cls: 'bad', indent: 4 })
            }
          }
          if (r.ports.ok) out.push({ text: `✓ ${r.ports.port === 'any' ? t('why.noPortList') : t('why.portMatches', { port: `ports[${r.ports.port}]` })}`, cls: 'ok', indent: 3 })
          else for (const pm of r.ports.misses) out.push({ text: `${named(`ports[${pm.port}]`, pm.portText)}: ✗ ${portMissText(pm)}`, cls: 'bad', indent: 3 })
        }
      }
      return out
    }
    default:
      // a kind newer than this page: its words, or at least its name
      return [{ text: `${title}: ${v.text ?? v.kind}`, indent: 1 }]
  }
}

function flowLines(f: Flow): Line[] {
  const addrs = f.fromIp !== null || f.toIp !== null ? `  (${f.fromIp ?? t('why.noAddress')} → ${f.toIp ?? t('why.noAddress')})` : ''
  const lines: Line[] = [{ text: `${f.allowed ? t('why.ALLOWED') : t('why.DENIED')}  ${f.from} → ${f.to}  ${t('why.port')} ${f.port}/${f.protocol}${f.via ? `  ${f.via}` : ''}${addrs}`, cls: f.allowed ? 'ok head' : 'bad head', indent: 0 }]
  for (const n of f.notes) if (n.code === 'replicas') lines.push({ text: t('why.replicas', { pod: n.pod ?? '', n: n.replicas === 'per-node' ? t('why.perNode') : String(n.replicas) }), indent: 1 })
  lines.push(...sideLines('egress', t('why.egressOf', { pod: f.from }), f.egress))
  lines.push(...sideLines('ingress', t('why.ingressTo', { pod: f.to }), f.ingress))
  for (const n of f.notes) {
    if (n.code === 'host-network') lines.push({ text: t('why.hostNetwork', { pod: n.pod ?? '' }), indent: 1 })
    if (n.code === 'no-ip') lines.push({ text: t('why.noIpNote', { pod: n.pod ?? '' }), indent: 1 })
  }
  return lines
}

/** The explanation's lines for each checked connection, indented as the CLI indents (pure: tested in Node). */
export function checkLines(json: unknown): Line[][] {
  return ((json as CheckJson).results ?? []).map(flowLines)
}
