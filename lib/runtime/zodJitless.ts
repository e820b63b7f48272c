/**
 * zod without its JIT, for the functions that almost always start cold (alarms, webhook): imported
 * first by their handlers, since zod reads the setting when a schema is built (on its first use,
 * z.lazySchema: after every module has loaded; set first all the same, so no module can build one
 * before it).
 * zod 4 compiles each object schema into a parsing function (`new Function`) on its first parse; a
 * cold start parses each schema once or twice (the configuration, the routes, the event), so the
 * compiling costs more than it saves: `npm run bench` measured 3-4 ms less CPU time to the call,
 * from a cold start (docs/performance.md). The results are the same. The requests function keeps the
 * JIT: it parses every message of its batches, warm.
 * Owns: that one setting.
 */
import * as z from '../schema/zod.ts';

z.config({ jitless: true });
