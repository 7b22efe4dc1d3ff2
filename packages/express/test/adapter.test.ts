import express from 'express';
import express4 from 'express4';
import { describeAdapter } from '../../http/test/support/adapter-suite.js';
import { expressHarness } from './support/express-harness.js';

// The shared behaviour suite (cookie and header flows, rotation, every cookie option, malformed
// ids, store outages, lost updates) over real HTTP, once per Express major version.
for (const [name, factory] of [
  ['express 4', express4],
  ['express 5', express],
] as const) {
  describeAdapter(expressHarness(name, factory));
}
