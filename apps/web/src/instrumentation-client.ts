import { z } from 'zod';
import { keepButtonClicksFromSelecting } from './lib/click-selection';

// Runs in the browser before the app. Zod compiles object parsers with `new Function` when it can,
// probing for that on first use; under the pages' Content-Security-Policy (no 'unsafe-eval') the
// probe is refused and reported as a violation. Its interpreted parsers are plenty for the few
// bodies a page parses, so the probe is never made.
z.config({ jitless: true });

keepButtonClicksFromSelecting(document);
