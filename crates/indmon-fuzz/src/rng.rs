//! The seeded generator, and the numbers that break parsers (which the byte and the tree
//! mutations both insert).

/// A small, fast, seeded generator (SplitMix64): the same seed gives the same inputs
/// on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// A number in `0..rare` with probability `num / den`, else in `0..common`.
    pub fn below_or(&mut self, num: u64, den: u64, rare: usize, common: usize) -> usize {
        let n = if self.chance(num, den) { rare } else { common };
        self.below(n)
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next_u64() % den < num
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Numbers that break parsers: too big for every integer type, negative, not a number,
/// infinite, out of range for a double, other digits, other notations.
pub const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1e308",
    "1e309",
    "-1e309",
    "1e-400",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "127",
    "128",
    "255",
    "256",
    "32768",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483649",
    "4294967296",
    "9007199254740993",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "99999999999999999999999999999999999999",
    "0.000000000000000000000000000001",
    "1.7976931348623157e308",
    "4.9e-324",
    "1,5",
    "1.000.000",
    "1_000",
    "0x10",
    "+5",
    "--5",
    "1e",
    ".",
    "-",
    "١٢٣",
    "１２",
    "²",
    "9999",
    "0000",
    "1899",
    "2101",
    "10000",
    "-2024",
];
