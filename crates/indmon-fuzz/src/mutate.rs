//! The mutations: the ways a real input goes wrong (a cut-off download, a file saved in
//! another encoding or by a spreadsheet, an edited line) or is made hostile (huge numbers,
//! stray separators and quotes, repeated lines, invalid UTF-8, byte-order marks), stacked
//! one to eight at a time on a seed.

use crate::structured;

pub use crate::rng::{NUMBERS, Rng};

/// The longest input a mutation produces (longer results are cut).
pub const MAX_LEN: usize = 1 << 20;

/// Bytes that separate, quote, escape or end things in CSV, JSON and TOML.
const SEPARATORS: &[&[u8]] = &[
    b",",
    b"\"",
    b"\"\"",
    b";",
    b"\t",
    b"\n",
    b"\r",
    b"\r\n",
    b"\\",
    b"'",
    b"|",
    b":",
    b"{",
    b"}",
    b"[",
    b"]",
    b"=",
    b"#",
    b" ",
    b"\0",
    b"\x0c",
    b"\x1b[2J",
    b"\"\n\"",
    b",,,,,,,,",
];

/// Sequences that are not UTF-8 (or are, but odd): a lone continuation byte, a cut
/// two-byte sequence, an overlong slash, a surrogate, bytes above U+10FFFF, a Latin-1 é,
/// Windows-1252's €, a zero-width space, a right-to-left override.
const ENCODINGS: &[&[u8]] = &[
    b"\x80",
    b"\xC3",
    b"\xC0\xAF",
    b"\xED\xA0\x80",
    b"\xF4\x90\x80\x80",
    b"\xFF",
    b"\xE9",
    b"\x80",
    b"\xE2\x80\x8B",
    b"\xE2\x80\xAE",
    b"\xEF\xBF\xBD",
];

/// Byte-order marks: UTF-8, UTF-16 LE and BE, UTF-32 LE.
const BOMS: &[&[u8]] = &[
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xFE\xFF",
    b"\xFF\xFE\x00\x00",
];

/// Interesting single bytes.
const BYTES: &[u8] = &[
    0, 1, 0x7F, 0x80, 0xFF, b'0', b'9', b'-', b'.', b'e', b'a', b'\n', b',', b'"',
];

/// `times` repeats of a chunk of `len` bytes, fewer where they would take `v` past
/// [`MAX_LEN`] (a long line repeated a thousand times was a gigabyte, cut afterwards:
/// seconds for one input).
fn room(v: &[u8], len: usize, times: usize) -> usize {
    match len {
        0 => times,
        _ => times.min(MAX_LEN.saturating_sub(v.len()) / len + 1),
    }
}

/// Makes mutated inputs from seeds.
pub struct Mutator<'a> {
    /// The generator.
    pub rng: Rng,
    seeds: &'a [Vec<u8>],
    dict: &'a [Vec<u8>],
}

impl<'a> Mutator<'a> {
    /// A mutator over `seeds` (the inputs spliced in) with `dict` (format words inserted).
    pub fn new(rng: Rng, seeds: &'a [Vec<u8>], dict: &'a [Vec<u8>]) -> Self {
        Self { rng, seeds, dict }
    }

    /// A seed chosen at random.
    pub fn seed(&mut self) -> &'a [u8] {
        let seeds = self.seeds;
        if seeds.is_empty() {
            return b"";
        }
        &seeds[self.rng.below(seeds.len())]
    }

    /// `input` changed one to eight times (more often few than many); a JSON or TOML
    /// input is sometimes changed as a tree (a value replaced, removed or repeated) and
    /// written out again.
    pub fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = input.to_vec();
        if self.rng.chance(1, 4)
            && let Some(tree) = structured::mutate(&mut self.rng, &out)
        {
            out = tree;
            if self.rng.chance(1, 2) {
                return out;
            }
        }
        let mut n = 1;
        while n < 8 && self.rng.chance(1, 2) {
            n += 1;
        }
        for _ in 0..n {
            self.once(&mut out);
            out.truncate(MAX_LEN);
        }
        out
    }

    /// A random position in `v` (0..=len).
    fn pos(&mut self, v: &[u8]) -> usize {
        self.rng.below(v.len() + 1)
    }

    /// A random range of `v` of at most `max` bytes.
    fn range(&mut self, v: &[u8], max: usize) -> (usize, usize) {
        if v.is_empty() {
            return (0, 0);
        }
        let a = self.rng.below(v.len());
        let len = 1 + self.rng.below(max.min(v.len() - a));
        (a, a + len)
    }

    /// One mutation.
    fn once(&mut self, v: &mut Vec<u8>) {
        match self.rng.below(17) {
            // a flipped bit
            0 if !v.is_empty() => {
                let i = self.rng.below(v.len());
                v[i] ^= 1 << self.rng.below(8);
            }
            // a byte set to a random or an interesting value
            1 if !v.is_empty() => {
                let i = self.rng.below(v.len());
                v[i] = if self.rng.chance(1, 2) {
                    self.rng.next_u64() as u8
                } else {
                    *self.rng.pick(BYTES)
                };
            }
            // bytes inserted
            2 => {
                let at = self.pos(v);
                let n = 1 + self.rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| self.rng.next_u64() as u8).collect();
                v.splice(at..at, bytes);
            }
            // a range deleted
            3 if !v.is_empty() => {
                let (a, b) = self.range(v, 64);
                v.drain(a..b);
            }
            // a range repeated (up to 64 times)
            4 if !v.is_empty() => {
                let (a, b) = self.range(v, 256);
                let chunk = v[a..b].to_vec();
                let times = room(v, chunk.len(), 1 + self.rng.below(64));
                let rep: Vec<u8> = chunk
                    .iter()
                    .copied()
                    .cycle()
                    .take(chunk.len() * times)
                    .collect();
                v.splice(b..b, rep);
            }
            // cut off (a truncated download)
            5 => {
                let at = self.pos(v);
                v.truncate(at);
            }
            // spliced: the start of this input, the rest of another
            6 => {
                let other = self.seed();
                let at = self.pos(v);
                let from = self.rng.below(other.len() + 1);
                v.truncate(at);
                v.extend_from_slice(&other[from..]);
            }
            // a number replaced by one that breaks parsers
            7 => self.number(v),
            // a separator or quote inserted
            8 => {
                let at = self.pos(v);
                let s = *self.rng.pick(SEPARATORS);
                v.splice(at..at, s.iter().copied());
            }
            // invalid (or odd) UTF-8
            9 => {
                let at = self.pos(v);
                let s = *self.rng.pick(ENCODINGS);
                v.splice(at..at, s.iter().copied());
            }
            // a byte-order mark, at the start or anywhere
            10 => {
                let at = if self.rng.chance(3, 4) {
                    0
                } else {
                    self.pos(v)
                };
                let s = *self.rng.pick(BOMS);
                v.splice(at..at, s.iter().copied());
            }
            // lines deleted, repeated or swapped
            11 => self.lines(v),
            // a word of the format inserted or put in place of another
            12 => self.word(v),
            // a field replaced by another field of the input or a seed
            13 => self.field(v),
            // other line ends
            14 => self.line_ends(v),
            // a long run of one byte (a field, a line or a nesting that never ends)
            15 => {
                let at = self.pos(v);
                let b = *self.rng.pick(b"9a\"[{,\n ");
                let n = 1 + self.rng.below_or(1, 8, 100_000, 300);
                v.splice(at..at, std::iter::repeat_n(b, n));
            }
            // text re-encoded as Windows-1252 (what a spreadsheet saves)
            _ => {
                if let Ok(s) = std::str::from_utf8(v) {
                    *v = s
                        .chars()
                        .map(|c| {
                            if (c as u32) < 0x100 {
                                c as u32 as u8
                            } else {
                                b'?'
                            }
                        })
                        .collect();
                }
            }
        }
    }

    /// Replaces a run of digits (with its sign, decimal point and exponent) by a number
    /// from [`NUMBERS`], or inserts one where there is none.
    fn number(&mut self, v: &mut Vec<u8>) {
        let s = self.rng.pick(NUMBERS).as_bytes();
        let digits: Vec<usize> = v
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_ascii_digit())
            .map(|(i, _)| i)
            .collect();
        if digits.is_empty() {
            let at = self.pos(v);
            v.splice(at..at, s.iter().copied());
            return;
        }
        let mut a = *self.rng.pick(&digits);
        let mut b = a;
        let num = |c: u8| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-');
        while a > 0 && num(v[a - 1]) {
            a -= 1;
        }
        while b < v.len() && num(v[b]) {
            b += 1;
        }
        v.splice(a..b, s.iter().copied());
    }

    /// Deletes, repeats (up to a thousand times) or swaps lines.
    fn lines(&mut self, v: &mut Vec<u8>) {
        let mut starts = vec![0];
        starts.extend(
            v.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        if starts.last() != Some(&v.len()) {
            starts.push(v.len());
        }
        if starts.len() < 2 {
            return;
        }
        let line = |i: usize| (starts[i], starts[i + 1]);
        let (a, b) = line(self.rng.below(starts.len() - 1));
        match self.rng.below(3) {
            0 => {
                v.drain(a..b);
            }
            1 => {
                let chunk = v[a..b].to_vec();
                let times = room(v, chunk.len(), 1 + self.rng.below_or(1, 4, 1000, 3));
                let rep: Vec<u8> = chunk
                    .iter()
                    .copied()
                    .cycle()
                    .take(chunk.len() * times)
                    .collect();
                v.splice(b..b, rep);
            }
            _ => {
                let (c, d) = line(self.rng.below(starts.len() - 1));
                if (a, b) == (c, d) {
                    return;
                }
                let ((a, b), (c, d)) = if a < c {
                    ((a, b), (c, d))
                } else {
                    ((c, d), (a, b))
                };
                if b > c {
                    return;
                }
                let mut out = v[..a].to_vec();
                out.extend_from_slice(&v[c..d]);
                out.extend_from_slice(&v[b..c]);
                out.extend_from_slice(&v[a..b]);
                out.extend_from_slice(&v[d..]);
                *v = out;
            }
        }
    }

    /// Inserts a dictionary word, or puts one in place of a word of the input.
    fn word(&mut self, v: &mut Vec<u8>) {
        if self.dict.is_empty() {
            return self.number(v);
        }
        let w = self.rng.pick(self.dict).clone();
        if self.rng.chance(1, 2) {
            let at = self.pos(v);
            v.splice(at..at, w);
        } else if let Some((a, b)) = self.token(v) {
            v.splice(a..b, w);
        }
    }

    /// Puts a token of a seed (or of the input itself) in place of a token of the input.
    fn field(&mut self, v: &mut Vec<u8>) {
        let other = if self.rng.chance(1, 2) {
            v.clone()
        } else {
            self.seed().to_vec()
        };
        let Some((c, d)) = self.token(&other) else {
            return;
        };
        if let Some((a, b)) = self.token(v) {
            v.splice(a..b, other[c..d].iter().copied());
        }
    }

    /// A random token: a maximal run of letters, digits and `._-+` around a random byte.
    fn token(&mut self, v: &[u8]) -> Option<(usize, usize)> {
        if v.is_empty() {
            return None;
        }
        let word = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'+');
        let mut a = self.rng.below(v.len());
        for _ in 0..64 {
            if word(v[a]) {
                break;
            }
            a = (a + 1) % v.len();
        }
        if !word(v[a]) {
            return None;
        }
        let mut b = a;
        while a > 0 && word(v[a - 1]) {
            a -= 1;
        }
        while b < v.len() && word(v[b]) {
            b += 1;
        }
        Some((a, b))
    }

    /// Line ends changed: all to CRLF, all to CR, the last one removed, or one doubled.
    fn line_ends(&mut self, v: &mut Vec<u8>) {
        match self.rng.below(4) {
            0 => {
                let mut out = Vec::with_capacity(v.len() + v.len() / 16);
                for &b in v.iter() {
                    if b == b'\n' {
                        out.push(b'\r');
                    }
                    out.push(b);
                }
                *v = out;
            }
            1 => v
                .iter_mut()
                .filter(|b| **b == b'\n')
                .for_each(|b| *b = b'\r'),
            2 => {
                while v.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    v.pop();
                }
            }
            _ => {
                let at = self.pos(v);
                v.splice(at..at, *b"\n\n");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_inputs() {
        let seeds = vec![b"a,b\n1,2\n3,4\n".to_vec(), b"{\"x\": [1, 2]}".to_vec()];
        let run = |seed| {
            let mut m = Mutator::new(Rng::new(seed), &seeds, &[]);
            (0..200)
                .map(|_| {
                    let s = m.seed();
                    m.mutate(s)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn repeats_stop_near_the_longest_input() {
        // a 512 KiB line repeated: at most what fits, plus one
        assert_eq!(room(&vec![b'x'; 512 << 10], 512 << 10, 1000), 2);
        assert_eq!(room(&[], 10, 1000), 1000);
        assert_eq!(room(&vec![0; MAX_LEN], 0, 7), 7);
    }

    #[test]
    fn mutations_change_inputs_and_stay_bounded() {
        let seeds = vec![b"t,i,j,k,v,q\n2024,4,8,10121,1.5,NA\n".to_vec()];
        let mut m = Mutator::new(Rng::new(1), &seeds, &[]);
        let mut changed = 0;
        for _ in 0..2000 {
            let out = m.mutate(&seeds[0]);
            assert!(out.len() <= MAX_LEN);
            changed += usize::from(out != seeds[0]);
        }
        assert!(changed > 1800, "{changed}");
    }

    #[test]
    fn numbers_are_replaced_whole() {
        let seeds = vec![];
        let mut m = Mutator::new(Rng::new(3), &seeds, &[]);
        for _ in 0..50 {
            let mut v = b"a,-12.5e3,b".to_vec();
            m.number(&mut v);
            let s = String::from_utf8_lossy(&v);
            assert!(s.starts_with("a,") && s.ends_with(",b"), "{s}");
            assert!(!s.contains("12.5"), "{s}");
        }
    }
}
