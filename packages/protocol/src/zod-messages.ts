import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// The protocol's schemas use zod's tree-shakable "mini" build: a bundled worker
// carries a few dozen kilobytes of zod instead of the whole classic API
// (whose cost to a fresh process is in docs/BENCHMARKS.md, "What each start-up trick buys").
// Mini carries no messages of its own: importing this module configures the
// English ones, once, for every schema of the process (zod's configuration is
// global, shared with classic). Import it for that effect, before parsing.
config(en());
