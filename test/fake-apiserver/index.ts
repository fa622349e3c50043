/** A FAKE kube-apiserver for tests (see fake-apiserver.ts); never a part of netpol itself. */
export { fakeCerts, type FakeCerts } from './certs.js'
export { FakeApiServer, type DenyRule, type EventType, type FakeApiServerOptions, type RecordedRequest } from './fake-apiserver.js'
export { fakeKubeconfigYaml, writeFakeKubeconfig, type FakeKubeconfigOptions } from './kubeconfig.js'
export { FAKE_RESOURCES, POLICY_GROUP, resourceList, type Obj } from './resources.js'
