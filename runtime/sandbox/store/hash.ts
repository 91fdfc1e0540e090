// The key of a notification: its sender and GUID, in memory as text and on disk as a hash.

export const key = (herId: string, guid: string) => `${herId}\n${guid}`;

/**
 * 53 bits of two FNV-1a hashes (different offsets) of `herId \n guid`: stored on disk, so it must
 * never change. Collisions are allowed for: every lookup compares the notification row.
 */
export function guidHash(herId: string, guid: string): number {
  const s = key(herId, guid);
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) >>> 11);
}
