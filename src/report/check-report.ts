import type { Verdict } from '../engine/verdict.js'

/** One checked connection: how its ends are named and the engine's verdict. */
export interface CheckedFlow {
  readonly from: string
  readonly to: string
  readonly fromIp: string | null
  readonly toIp: string | null
  readonly port: number
  readonly protocol: string
  /** e.g. "via svc/shop/nginx:80 (targetPort http)" */
  readonly via?: string
  /** set when the destination was written as a Service's virtual address (clusterIP or externalIP) */
  readonly serviceAddress?: { readonly ip: string; readonly field: 'clusterIP' | 'externalIP'; readonly service: string; readonly port: number; readonly protocol: string }
  readonly verdict: Verdict
}

/**
 * The JSON contract of `check -o json`: `{allowed, results: [{from, to, fromIp, toIp, port, protocol, via?,
 * serviceAddress?, allowed, egress, ingress, notes}]}`; `allowed` at the top is true when every result is;
 * egress/ingress are the engine's side verdicts (isolating policies, the rule/peer/port that allowed, or
 * per-policy misses) as src/engine/verdict.ts defines them.
 */
export function checkReport(checked: readonly CheckedFlow[]) {
  return {
    allowed: checked.every((c) => c.verdict.allowed),
    results: checked.map((c) => ({
      from: c.from,
      to: c.to,
      fromIp: c.fromIp,
      toIp: c.toIp,
      port: c.port,
      protocol: c.protocol,
      ...(c.via ? { via: c.via } : {}),
      ...(c.serviceAddress ? { serviceAddress: c.serviceAddress } : {}),
      allowed: c.verdict.allowed,
      egress: c.verdict.egress,
      ingress: c.verdict.ingress,
      notes: c.verdict.notes,
    })),
  }
}
