import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// The protocol's schemas use zod's tree-shakable "mini" build: a bundled worker
// carries a few dozen kilobytes of zod instead of the whole classic API
// (which costs a fresh process ~40 ms and ~14 MiB; see docs/BENCHMARKS.md).
// Mini carries no messages of its own: importing this module configures the
// English ones, once, for every schema of the process (zod's configuration is
// global, shared with classic). Import it for that effect, before parsing.
config(en());
