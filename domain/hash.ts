/** SHA-256 hex of a string's UTF-8 bytes; pure JS (@noble/hashes) because the workflow sandbox has no `crypto`. */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}
