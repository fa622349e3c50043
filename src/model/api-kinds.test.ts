import { expect, test } from 'vitest'
import { classifyKind } from './api-kinds.js'

test.each([
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', want: { is: 'read' } },
  { apiVersion: 'batch/v1', kind: 'CronJob', want: { is: 'read' } },
  // Node and the cluster policy kinds of sig-network-policy-api
  { apiVersion: 'v1', kind: 'Node', want: { is: 'read' } },
  { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', want: { is: 'read' } },
  { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', want: { is: 'read' } },
  { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', want: { is: 'read' } },
  { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'ClusterNetworkPolicy', want: { is: 'unserved', served: 'policy.networking.k8s.io/v1alpha2', removed: false } },
  { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'AdminNetworkPolicy', want: { is: 'unserved', served: 'policy.networking.k8s.io/v1alpha1', removed: false } },
  { apiVersion: 'policy.networking.k8s.io/v1', kind: 'BaselineAdminNetworkPolicy', want: { is: 'unserved', served: 'policy.networking.k8s.io/v1alpha1', removed: false } },
  { apiVersion: 'apps/v1', kind: 'Node', want: { is: 'unserved', served: 'v1', removed: false } },
  { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'clusterNetworkPolicy', want: { is: 'misspelt', suggestion: 'ClusterNetworkPolicy', served: 'policy.networking.k8s.io/v1alpha2' } },
  { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicies', want: { is: 'misspelt', suggestion: 'AdminNetworkPolicy', served: 'policy.networking.k8s.io/v1alpha1' } },
  { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkpolicy', want: { is: 'misspelt', suggestion: 'BaselineAdminNetworkPolicy', served: 'policy.networking.k8s.io/v1alpha1' } },
  { apiVersion: 'v1', kind: 'node', want: { is: 'misspelt', suggestion: 'Node', served: 'v1' } },
  // custom resources of other groups keep their own kinds
  { apiVersion: 'crd.antrea.io/v1beta1', kind: 'ClusterNetworkPolicy', want: { is: 'other' } },
  // no longer served, or never served this kind
  { apiVersion: 'networking.k8s.io/v1beta1', kind: 'NetworkPolicy', want: { is: 'unserved', served: 'networking.k8s.io/v1', removed: true } },
  { apiVersion: 'extensions/v1beta1', kind: 'NetworkPolicy', want: { is: 'unserved', served: 'networking.k8s.io/v1', removed: true } },
  { apiVersion: 'extensions/v1beta1', kind: 'Deployment', want: { is: 'unserved', served: 'apps/v1', removed: true } },
  { apiVersion: 'batch/v1beta1', kind: 'CronJob', want: { is: 'unserved', served: 'batch/v1', removed: true } },
  { apiVersion: 'v1', kind: 'NetworkPolicy', want: { is: 'unserved', served: 'networking.k8s.io/v1', removed: false } },
  { apiVersion: 'core/v1', kind: 'Pod', want: { is: 'unserved', served: 'v1', removed: false } },
  { apiVersion: 'apps/v1', kind: 'Pod', want: { is: 'unserved', served: 'v1', removed: false } },
  { apiVersion: 'networking.k8s.io', kind: 'NetworkPolicy', want: { is: 'unserved', served: 'networking.k8s.io/v1', removed: false } },
  // mis-cased and misspelt kinds of Kubernetes groups
  { apiVersion: 'networking.k8s.io/v1', kind: 'networkpolicy', want: { is: 'misspelt', suggestion: 'NetworkPolicy', served: 'networking.k8s.io/v1' } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'networkPolicy', want: { is: 'misspelt', suggestion: 'NetworkPolicy', served: 'networking.k8s.io/v1' } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Networkpolicy', want: { is: 'misspelt', suggestion: 'NetworkPolicy', served: 'networking.k8s.io/v1' } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolcy', want: { is: 'misspelt', suggestion: 'NetworkPolicy', served: 'networking.k8s.io/v1' } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicies', want: { is: 'misspelt', suggestion: 'NetworkPolicy', served: 'networking.k8s.io/v1' } },
  { apiVersion: 'v1', kind: 'pod', want: { is: 'misspelt', suggestion: 'Pod', served: 'v1' } },
  { apiVersion: 'apps/v1', kind: 'Deploymnet', want: { is: 'misspelt', suggestion: 'Deployment', served: 'apps/v1' } },
  // other kinds stay other kinds
  { apiVersion: 'v1', kind: 'ConfigMap', want: { is: 'other' } },
  { apiVersion: 'v1', kind: 'Secret', want: { is: 'other' } },
  { apiVersion: 'v1', kind: 'PodTemplate', want: { is: 'other' } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', want: { is: 'other' } },
  { apiVersion: 'apps/v1', kind: 'ControllerRevision', want: { is: 'other' } },
  { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', want: { is: 'other' } },
  { apiVersion: 'crd.antrea.io/v1beta1', kind: 'NetworkPolicy', want: { is: 'other' } },
  { apiVersion: 'example.com/v1', kind: 'networkpolicy', want: { is: 'other' } },
  { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', want: { is: 'other' } },
])('$apiVersion $kind', ({ apiVersion, kind, want }) => expect(classifyKind(apiVersion, kind)).toEqual(want))
