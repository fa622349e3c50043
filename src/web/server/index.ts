/** The public names of src/web/server/: the server of `netpol serve` and the inputs it answers about. */
export { startServer, serverUrl, type RunningServer, type ServerOptions } from './server.js'
export { fixedInput, type ServeInput, type Snapshot } from './serve-input.js'
export { followLive, type LiveInputOptions } from './live-input.js'
export { lintOutcomeOf, prepareDefaultGraph } from './reports.js'
