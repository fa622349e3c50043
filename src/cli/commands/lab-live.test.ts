import { resolve } from 'node:path'
import { describe, expect, test } from 'vitest'
import { planLab } from '../../lab/lab-plan.js'
import { cluster, pod } from '../../../test/builders.js'
import { labPodInputs } from './lab.js'
import { clusterInLab, liveInputOf, livePods, noAddressNote } from './lab-live.js'

const names = (c: { pods: readonly { namespace: string; name: string }[] }) => c.pods.map((p) => `${p.namespace}/${p.name}`)

describe('liveInputOf', () => {
  test.each([
    { name: 'files: not live', opts: {}, want: null },
    { name: 'a kubeconfig, made absolute (the agent runs in the project root)', opts: { kubeconfig: 'k.yaml' }, want: { kubeconfig: resolve('k.yaml') } },
    { name: 'a context alone', opts: { context: 'prod' }, want: { context: 'prod' } },
  ])('$name', ({ opts, want }) => expect(liveInputOf(opts)).toEqual(want))
})

describe('livePods: a live lab holds the pods the API gives an address', () => {
  test.each([
    { name: 'every pod has one', pods: [pod('a/x', {}, { ips: ['10.0.0.1'] })], kept: ['a/x'], left: [] },
    { name: 'a pending pod is left out and named', pods: [pod('a/x', {}, { ips: ['10.0.0.1'] }), pod('a/y')], kept: ['a/x'], left: ['a/y'] },
    { name: 'a hostNetwork pod stays (the lab says it has no namespace)', pods: [pod('a/h', {}, { hostNetwork: true })], kept: ['a/h'], left: [] },
  ])('$name', ({ pods, kept, left }) => {
    const r = livePods(cluster({ pods }))
    expect([names(r.cluster), r.noAddress]).toEqual([kept, left])
  })
  test('the note names the pods, or is empty', () => {
    expect(noAddressNote([])).toBe('')
    expect(noAddressNote(['a/y'])).toMatch(/^not in the lab \(no status\.podIP.*\): a\/y\n$/)
  })
})

describe('clusterInLab: the cluster at probe time, cut to the pods the lab has', () => {
  const plan = planLab(labPodInputs(cluster({ pods: [pod('a/x', {}, { ips: ['10.0.0.1'] }), pod('a/y', {}, { ips: ['10.0.0.2'] })] })))
  test.each([
    { name: 'the same pods', pods: [pod('a/x', {}, { ips: ['10.0.0.1'] }), pod('a/y', {}, { ips: ['10.0.0.2'] })], kept: ['a/x', 'a/y'], note: '' },
    { name: 'a pod created after up', pods: [pod('a/x', {}, { ips: ['10.0.0.1'] }), pod('a/z', {}, { ips: ['10.0.0.3'] })], kept: ['a/x'], note: 'a/z' },
    { name: 'a pod readdressed after up', pods: [pod('a/x', {}, { ips: ['10.0.0.9'] })], kept: [], note: 'a/x' },
    { name: 'a pod deleted after up is simply not there', pods: [pod('a/x', {}, { ips: ['10.0.0.1'] })], kept: ['a/x'], note: '' },
  ])('$name', ({ pods, kept, note }) => {
    const r = clusterInLab(cluster({ pods }), plan)
    expect(names(r.cluster)).toEqual(kept)
    if (note === '') expect(r.note).toBe('')
    else expect(r.note).toMatch(new RegExp(`^note: not probed, .*: ${note}\\n$`))
  })
})
