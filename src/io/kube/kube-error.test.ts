import { describe, expect, test } from 'vitest'
import { formatKubeError, type KubeError } from './kube-error.js'
import { API_RESOURCES } from './resources.js'

const S = 'https://10.0.0.1:6443'
const list = (kind: keyof typeof API_RESOURCES, namespace?: string) => ({ verb: 'list' as const, resource: API_RESOURCES[kind], ...(namespace ? { namespace } : {}) })

describe('formatKubeError', () => {
  test.each<{ e: KubeError; want: string }>([
    { e: { code: 'unreachable', context: 'prod', server: S, cause: 'connect ECONNREFUSED 10.0.0.1:6443', certificate: false }, want: `cluster prod: cannot reach the API server ${S}: connect ECONNREFUSED 10.0.0.1:6443` },
    { e: { code: 'unreachable', context: 'prod', server: S, cause: 'certificate has expired (CERT_HAS_EXPIRED)', certificate: true }, want: `cluster prod: cannot verify the API server ${S}: certificate has expired (CERT_HAS_EXPIRED) (check certificate-authority in the kubeconfig)` },
    { e: { code: 'unauthorized', context: 'prod', server: S, user: 'admin' }, want: `cluster prod: the API server ${S} rejected the credentials of user "admin" (401 Unauthorized): they are missing or expired; log in again or renew the token in the kubeconfig` },
    { e: { code: 'forbidden', context: 'prod', request: list('Pod'), subject: 'system:serviceaccount:netpol:netpol', message: '' }, want: 'cluster prod: user "system:serviceaccount:netpol:netpol" cannot list pods at cluster scope: grant get/list/watch on pods; see deploy/20-rbac.yaml' },
    { e: { code: 'forbidden', context: 'prod', request: { ...list('CronJob', 'jobs'), verb: 'watch' }, message: '' }, want: 'cluster prod: cannot watch cronjobs.batch in namespace "jobs": grant get/list/watch on cronjobs.batch; see deploy/20-rbac.yaml' },
    { e: { code: 'forbidden', context: 'prod', request: { verb: 'get', resource: API_RESOURCES.Node, name: 'n1' }, message: '' }, want: 'cluster prod: cannot get nodes "n1" at cluster scope: grant get/list/watch on nodes; see deploy/20-rbac.yaml' },
    { e: { code: 'not_served', context: 'prod', server: S, request: list('CronJob') }, want: `cluster prod: the API server ${S} does not serve batch/v1 cronjobs (404): netpol needs Kubernetes 1.22 or later` },
    { e: { code: 'not_served', context: 'prod', server: S, request: list('ClusterNetworkPolicy') }, want: `cluster prod: the API server ${S} does not serve policy.networking.k8s.io/v1alpha2 clusternetworkpolicies (404): its CustomResourceDefinition was removed while netpol read the cluster` },
    { e: { code: 'not_found', context: 'prod', request: { verb: 'get', resource: API_RESOURCES.Node, name: 'n9' } }, want: 'cluster prod: Node n9 not found' },
    { e: { code: 'expired', context: 'prod', message: 'too old resource version: 1 (5)' }, want: 'cluster prod: too old resource version: 1 (5) (410 Gone)' },
    { e: { code: 'http_error', context: 'prod', server: S, request: list('Pod'), status: 500, message: 'etcdserver: request timed out' }, want: `cluster prod: the API server ${S} answered 500 to list pods: etcdserver: request timed out` },
    { e: { code: 'bad_response', context: 'prod', server: S, detail: '<html>' }, want: `cluster prod: the API server ${S} sent a reply that is not Kubernetes JSON: <html>` },
    { e: { code: 'credentials_failed', context: 'eks', user: 'arn', detail: 'spawn aws ENOENT' }, want: 'cluster eks: cannot get credentials for user "arn": spawn aws ENOENT' },
    { e: { code: 'bad_kubeconfig', file: '/k', problem: 'no such file' }, want: 'kubeconfig /k: no such file' },
    { e: { code: 'unknown_context', file: '/k', context: 'x', available: [] }, want: 'kubeconfig /k: no context "x" (it defines no contexts)' },
  ])('$e.code: $want', ({ e, want }) => expect(formatKubeError(e)).toBe(want))
})
