import { compilePolicies } from '../../src/dataplane/compile-policies.js'
import { FakeNft } from '../../src/dataplane/fake-nft.js'
import { fullReplace } from '../../src/dataplane/nft-transaction.js'
import { runConformance } from './run-conformance.js'
import { DATAPLANE_TIERS } from './tier-switches.js'

// The compiled nftables ruleset, every pod managed by one node, interpreted by FakeNft: a packet of a new
// connection goes through the forward hook (pod↔pod and pod↔outside both cross the node).
runConformance({
  name: 'compiled nftables ruleset (FakeNft)',
  tiers: { enabled: DATAPLANE_TIERS, switchName: 'DATAPLANE_TIERS' },
  newEvaluator: (cluster) => {
    const compiled = compilePolicies(cluster, { managed: () => true, mode: 'enforce', table: 'netpol', logGroup: 1 })
    const nft = new FakeNft()
    const r = nft.runSync(fullReplace(compiled.table))
    if (!r.ok) throw new Error(r.error)
    return {
      allowed: (from, to, port, protocol) => {
        if (from.ip === null || to.ip === null) throw new Error('a flow the dataplane cannot carry: an end has no address of the family')
        return nft.evaluate({ src: from.ip, dst: to.ip, protocol, dport: port }).verdict === 'accept'
      },
    }
  },
})
