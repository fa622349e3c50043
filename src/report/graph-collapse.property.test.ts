/**
 * Class level with namespaces collapsed (GraphOptions.collapse): a collapsed namespace is one node whose edges are
 * exactly the union of its classes' edges in the full class graph, to other classes, to other collapsed
 * namespaces, to external nodes and within itself; the opened namespaces keep their class nodes as they are.
 */
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { clusters, PORTS } from '../../test/arbitraries.js'
import { podId, standsForSeveral, type Cluster } from '../model/cluster.js'
import { graphReport, type GraphOptions } from './graph-report.js'
import type { GraphEdge, GraphNode } from './graph-types.js'

const ports = fc.constantFrom<GraphOptions['port']>(...PORTS, 'any')

/** Which namespaces stay open: a bit per namespace of the cluster (in name order). */
const openOf = (c: Cluster, bits: number) => [...c.namespaces.keys()].sort().filter((_, i) => (bits >> i) & 1)

test('a collapsed namespace is the union of its classes: nodes, edges (one port: and whether every pair may), ports', () => {
  fc.assert(
    fc.property(clusters, ports, fc.integer({ min: 0, max: 1023 }), (c, port, bits) => {
      const open = openOf(c, bits)
      const full = graphReport(c, { port, level: 'class', collapse: false })
      const mixed = graphReport(c, { port, level: 'class', collapse: true, open })
      expect(full.collapsed).toBeUndefined()
      const isOpen = (n: GraphNode) => n.namespace === undefined || open.includes(n.namespace)
      // class → the node it is drawn in
      const nodeOf = new Map(full.nodes.map((n) => [n.id, isOpen(n) ? n.id : n.namespace!]))
      const classes = new Map<string, GraphNode[]>()
      for (const n of full.nodes) classes.set(nodeOf.get(n.id)!, [...(classes.get(nodeOf.get(n.id)!) ?? []), n])

      // nodes: the opened classes as they were; a collapsed namespace holds its classes' pods
      const collapsed = [...new Set(full.nodes.filter((n) => !isOpen(n)).map((n) => n.namespace!))]
      expect([...(mixed.collapsed ?? [])].sort()).toEqual(collapsed.sort())
      expect(mixed.nodes.map((n) => n.id).sort()).toEqual([...classes.keys()].sort())
      for (const n of mixed.nodes) {
        if (n.kind === 'namespace') expect(n.pods.slice().sort()).toEqual(classes.get(n.id)!.flatMap((x) => x.pods).sort())
        else expect(n).toEqual(full.nodes.find((x) => x.id === n.id))
      }

      // edges: X → Y exists iff some class of X has an edge to some class of Y; its ports are the union
      const byId = new Map(full.edges.map((e) => [e.id, e]))
      const want = new Map<string, { ports: Set<string>; edges: GraphEdge[] }>()
      for (const e of full.edges) {
        const id = `${nodeOf.get(e.from)}->${nodeOf.get(e.to)}`
        const w = want.get(id) ?? { ports: new Set<string>(), edges: [] }
        e.ports?.forEach((p) => w.ports.add(p))
        w.edges.push(e)
        want.set(id, w)
      }
      expect(mixed.edges.map((e) => e.id).sort()).toEqual([...want.keys()].sort())
      const at = new Map(c.pods.map((p, i) => [podId(p), i]))
      // a class with two pods (or a template's replicas) has pod pairs within itself
      const hasPairs = (n: GraphNode) => n.pods.length > 1 || n.pods.some((p) => standsForSeveral(c.pods[at.get(p)!]!))
      for (const e of mixed.edges) {
        const w = want.get(e.id)!
        if (port === 'any') {
          expect(new Set(e.ports), e.id).toEqual(w.ports)
          continue
        }
        // one port: every pair may iff every class pair with pod pairs has an edge on which every pair may
        const from = classes.get(e.from)!
        const to = classes.get(e.to)!
        const all = from.every((a) => to.every((b) => (a.id === b.id && !hasPairs(a)) || byId.get(`${a.id}->${b.id}`)?.all === true))
        expect(e.all, `${e.id} all`).toBe(all)
      }
      expect(mixed.totals.pods).toBe(full.totals.pods)
    }),
    { numRuns: 300 },
  )
})

test('collapsed by default only above the class limit; "auto" on a small cluster is not collapsed', () => {
  fc.assert(
    fc.property(clusters, (c) => {
      expect(graphReport(c, { port: PORTS[0]!, level: 'class' }).collapsed).toBeUndefined()
      expect(graphReport(c, { port: PORTS[0]!, level: 'auto' }).collapsed).toBeUndefined()
    }),
    { numRuns: 30 },
  )
})

test('past maxEdges, the edges among pod nodes of the opened namespaces are listed first, then the other pod-node edges, then the external ones', () => {
  fc.assert(
    fc.property(clusters, fc.constantFrom(...PORTS), fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 0, max: 30 }), (c, port, bits, max) => {
      const open = openOf(c, bits)
      const whole = graphReport(c, { port, level: 'class', collapse: true, open })
      const cut = graphReport(c, { port, level: 'class', collapse: true, open, maxEdges: max })
      const all = new Map(whole.edges.map((e) => [e.id, e]))
      expect(cut.edges.length).toBe(Math.min(max, whole.edges.length))
      expect(cut.edges.length + (cut.omittedEdges ?? 0)).toBe(whole.edges.length)
      for (const e of cut.edges) expect(e).toEqual(all.get(e.id))
      const kind = new Map(whole.nodes.map((n) => [n.id, n.kind]))
      const ext = (e: GraphEdge) => kind.get(e.from) === 'external' || kind.get(e.to) === 'external'
      const opened = (e: GraphEdge) => kind.get(e.from) === 'class' || kind.get(e.to) === 'class'
      // the opened classes' edges to pod nodes, then the other pod-node edges, then the external ones
      const rank = (e: GraphEdge) => (ext(e) ? 2 : opened(e) ? 0 : 1)
      // what is listed is never of a later rank than something left out
      const listed = new Set(cut.edges.map((e) => e.id))
      const worstListed = Math.max(-1, ...cut.edges.map(rank))
      const bestLeft = Math.min(3, ...whole.edges.filter((e) => !listed.has(e.id)).map(rank))
      if (whole.nodes.some((n) => n.kind === 'class')) expect(worstListed <= bestLeft, `${worstListed} ${bestLeft}`).toBe(true)
    }),
    { numRuns: 300 },
  )
})
