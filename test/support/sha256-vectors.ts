/**
 * SHA-256 known answers. The first five are the published NIST/FIPS 180-4 examples (the CAVP short and
 * long messages and the one-million-'a' vector); the UTF-8 strings and the padding boundaries have no
 * published digest and are checked against node:crypto instead. Long inputs are a text repeated, so the
 * workflow sandbox test can pass them as small payloads.
 */
export interface Sha256Input {
  name: string;
  text: string;
  repeat: number;
}

export const PUBLISHED_SHA256_VECTORS: (Sha256Input & { digest: string })[] = [
  { name: 'empty string', text: '', repeat: 1, digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  { name: '"abc" (one block)', text: 'abc', repeat: 1, digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  {
    name: '448 bits (two blocks)',
    text: 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
    repeat: 1,
    digest: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  },
  {
    name: '896 bits',
    text: 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    repeat: 1,
    digest: 'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  },
  { name: "one million 'a'", text: 'a', repeat: 1_000_000, digest: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0' },
];

export const UTF8_SHA256_INPUTS: Sha256Input[] = [
  { name: 'accents and a euro sign (2- and 3-byte UTF-8)', text: 'Réunion à 19 h — 5 €, café offert', repeat: 1 },
  { name: 'CJK, Arabic and an emoji with a skin tone (3- and 4-byte UTF-8)', text: '日本語 مرحبا 👋🏽 STOP', repeat: 1 },
  { name: 'a multi-block message of 4-byte characters', text: '𝄞🎉', repeat: 300 },
];

/** Lengths around the 64-byte block and the 56-byte padding edge, where a padding bug would show. */
export const PADDING_BOUNDARY_INPUTS: Sha256Input[] = [0, 1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129].map((length) => ({
  name: `${length} bytes`,
  text: 'x',
  repeat: length,
}));

export const textOf = (input: Sha256Input): string => input.text.repeat(input.repeat);
