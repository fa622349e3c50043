#!/usr/bin/env node
/**
 * netpol as a kubectl plugin: kubectl runs the first executable named `kubectl-netpol` on PATH for
 * `kubectl netpol ARGS` and passes it ARGS. The same CLI, under the name its users typed.
 */
import { start } from './start.js'

start('kubectl netpol')
