/** SHA-256 of a string's UTF-8 bytes with the browser's own crypto (Web Worker or page). */
const encoder = new TextEncoder();

export async function sha256Subtle(input: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(input)));
}
