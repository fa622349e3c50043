/**
 * The graph report: who may talk to whom, drawn as nodes grouped by namespace and edges for allowed
 * connections on one port (or "any"). The same object is `GET /api/graph` and the input of `matrix -o dot` and
 * `-o mermaid`, so the command line draws the page's picture.
 *
 * An edge A → B means: some pod of A may open a connection to some pod of B on the port; `all` says whether
 * every pod pair of the two nodes may. Edges are between different nodes, plus a self edge when a node's pods
 * may reach each other (two different pods, or one replica of a template to another; a pod reaching itself is
 * always allowed and is no edge). External nodes are the ipBlocks the policies name (as CIDR text with
 * excepts), and "world" for any address in none of them.
 */

/** A port as the CLI writes it: "8080/TCP", "53/UDP", or "any" (allowed on some port the destination serves or a policy names). */
export type PortChoice = string

export type GraphLevel = 'namespace' | 'class' | 'workload' | 'pod'

export interface GraphGroup {
  /** "group:NAMESPACE" (never equal to a node id, so a compound-graph library can hold both) */
  readonly id: string
  readonly namespace: string
  readonly labels: Readonly<Record<string, string>>
}

export interface GraphReport {
  readonly level: GraphLevel
  readonly port: PortChoice
  /** the namespaces of the nodes shown */
  readonly groups: readonly GraphGroup[]
  readonly nodes: readonly GraphNode[]
  readonly edges: readonly GraphEdge[]
  /** totals before filters, so the page can say "showing 120 of 3,153" */
  readonly totals: { readonly nodes: number; readonly edges: number; readonly pods: number }
  /** edges between the nodes shown that were not listed, past the caller's limit (`maxEdges`); absent when none */
  readonly omittedEdges?: number
  /**
   * At class level with namespaces collapsed (GraphOptions.collapse): the namespaces drawn as one node each (kind
   * "namespace", id the namespace's name), holding all its classes; an edge to or from such a node is the union
   * of its classes' edges. The namespaces not listed are drawn as their classes (opened). Absent when the graph was not
   * asked collapsed.
   */
  readonly collapsed?: readonly string[]
}

export interface GraphNode {
  /**
   * Stable across versions for the same thing. Namespace-scoped nodes start with their namespace:
   * pod "ns/POD"; workload "ns/deploy/NAME" (kubectl's short kind: deploy, sts, ds, rs, rc, job, cronjob), a bare
   * pod at workload level is its pod id; class "ns/class/HASH" (a hash of what makes the class: labels, named
   * ports, the ipBlocks holding its address); namespace "NAME". External: "cidr:10.0.0.0/8" or
   * "cidr:0.0.0.0/0 except 10.0.0.0/8" (canonical CIDRs), and "world".
   */
  readonly id: string
  readonly kind: 'namespace' | 'class' | 'workload' | 'pod' | 'external'
  /** absent for external nodes */
  readonly namespace?: string
  /** what to print: workload "deploy/api", pod "api-5c4", class "app=api (3 pods)", external "10.0.0.0/8 except 10.0.1.0/24" */
  readonly label: string
  /** member pods as "ns/pod" (templates count as their replicas; listed once) */
  readonly pods: readonly string[]
  /** pod: its labels; class: its pods' labels; workload: the labels all its pods share; namespace: the namespace's */
  readonly labels: Readonly<Record<string, string>>
  /** whether a policy isolates the node's pods for each direction (true only if it isolates all of them; "some" otherwise) */
  readonly isolated: { readonly ingress: boolean | 'some'; readonly egress: boolean | 'some' }
  /** policies that select some of its pods, as "ns/name" */
  readonly selectedBy: readonly string[]
}

export interface GraphEdge {
  /** "FROM->TO" of node ids */
  readonly id: string
  readonly from: string
  readonly to: string
  /**
   * Every pod pair of the two nodes may connect (false: only some). With port "any": on every port listed, every
   * pair whose destination serves the port or is named for it by a policy may connect.
   */
  readonly all: boolean
  /** with port "any": the ports on which it is allowed, as "PORT/PROTOCOL" */
  readonly ports?: readonly string[]
  /** in a what-if graph: "opened" (allowed only after the change), "closed" (only before), "same" */
  readonly change?: 'opened' | 'closed' | 'same'
  /** in a what-if graph with port "any", on an edge allowed before and after: ports it gains and loses */
  readonly portsOpened?: readonly string[]
  readonly portsClosed?: readonly string[]
}
