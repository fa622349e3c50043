import { afterAll, beforeAll } from 'vitest'
import { applyExample } from './example.js'
import { FakeApiServer } from './fake-apiserver.js'

/**
 * A FAKE API server for the tests of the file that calls this: started before them with `setup` applied
 * (by default the objects of examples/three-tier), closed after them. `.server` is the running fake.
 */
export function fakeApiServer(setup: (fake: FakeApiServer) => void = applyExample): { readonly server: FakeApiServer } {
  let fake: FakeApiServer | undefined
  beforeAll(async () => {
    fake = await FakeApiServer.start()
    setup(fake)
  })
  afterAll(() => fake?.close())
  return {
    get server(): FakeApiServer {
      if (fake === undefined) throw new Error('the fake API server is started in beforeAll: use it inside a test')
      return fake
    },
  }
}
