import { generateAdmissionKey } from '../tokens/admission-tokens.js';

/**
 * Prints a fresh ADMISSION_PRIVATE_JWKS: `{ "keys": [current, next] }`.
 * With `--rotate '<current ADMISSION_PRIVATE_JWKS>'` it prints the next step of a rotation instead:
 * `[next, new next, previous current]` (see README.md, "Rotating the admission keys").
 */
const args = process.argv.slice(2);
const rotateIndex = args.indexOf('--rotate');
if (rotateIndex >= 0) {
  const existing: unknown = JSON.parse(args[rotateIndex + 1] ?? '');
  const keys =
    typeof existing === 'object' &&
    existing !== null &&
    'keys' in existing &&
    Array.isArray(existing.keys)
      ? (existing.keys as unknown[])
      : [];
  const [current, next] = keys;
  if (current === undefined || next === undefined) {
    process.stderr.write('--rotate needs a JSON { "keys": [current, next, ...] }\n');
    process.exit(1);
  }
  process.stdout.write(
    `${JSON.stringify({ keys: [next, await generateAdmissionKey(), current] })}\n`,
  );
} else {
  const keys = [await generateAdmissionKey(), await generateAdmissionKey()];
  process.stdout.write(`${JSON.stringify({ keys })}\n`);
}
