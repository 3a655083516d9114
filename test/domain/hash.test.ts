/** domain/hash.ts in plain Node gives the published SHA-256 answers and agrees with node:crypto on UTF-8 text. */
import { createHash } from 'node:crypto';
import { sha256Hex } from '../../domain/hash';
import { PADDING_BOUNDARY_INPUTS, PUBLISHED_SHA256_VECTORS, UTF8_SHA256_INPUTS, textOf } from '../support/sha256-vectors';

const nodeSha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

test.each(PUBLISHED_SHA256_VECTORS)('the published digest of the $name', (vector) => {
  expect(sha256Hex(textOf(vector))).toBe(vector.digest);
});

test.each([...UTF8_SHA256_INPUTS, ...PADDING_BOUNDARY_INPUTS])('the digest of $name equals node:crypto', (input) => {
  expect(sha256Hex(textOf(input))).toBe(nodeSha256(textOf(input)));
});
