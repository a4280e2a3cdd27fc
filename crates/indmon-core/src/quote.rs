//! Quoting a user's value in a message: never more than [`QUOTE_MAX`] characters of
//! it, and its control characters escaped, so that a 10 KiB field or a value with
//! terminal escape sequences makes a readable message that cannot rewrite the screen.

/// The most characters of a value a message quotes.
pub const QUOTE_MAX: usize = 200;

/// Characters written escaped: control characters (C0, DEL, C1) and the invisible
/// formatting characters that reorder or hide text (bidirectional overrides,
/// zero-width characters, the byte-order mark).
fn escaped(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// At most [`QUOTE_MAX`] characters of `value` with control and invisible formatting
/// characters escaped (`\n`, `\t`, `\u{1b}` ...); a longer value ends in
/// `… (N characters)` with its full length.
pub fn excerpt(value: impl AsRef<str>) -> String {
    let value = value.as_ref();
    let mut out = String::with_capacity(value.len().min(QUOTE_MAX * 2));
    let mut cut = false;
    for (count, c) in value.chars().enumerate() {
        if count == QUOTE_MAX {
            cut = true;
            break;
        }
        if escaped(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if cut {
        out.push_str(&format!("… ({} characters)", value.chars().count()));
    }
    out
}

/// `value` with control and invisible formatting characters escaped, not cut (for a
/// file name, which must be shown whole).
pub fn escape(value: impl AsRef<str>) -> String {
    let value = value.as_ref();
    if !value.chars().any(escaped) {
        return value.to_string();
    }
    value
        .chars()
        .map(|c| {
            if escaped(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// [`excerpt`] of `value` in single quotes.
pub fn quote(value: impl AsRef<str>) -> String {
    format!("'{}'", excerpt(value))
}

/// A list of values for a message (`a, b, c`): each an [`excerpt`], and the list cut
/// after about [`QUOTE_MAX`] characters with the number left out (`… and 12 more`).
pub fn excerpt_list<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> String {
    let mut out = String::new();
    let mut left = 0usize;
    for v in values {
        if out.chars().count() >= QUOTE_MAX {
            left += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&excerpt(v));
    }
    if left > 0 {
        out.push_str(&format!(" … and {left} more"));
    }
    out
}

/// [`excerpt`] of bytes that may not be UTF-8 (invalid bytes shown as U+FFFD).
pub fn excerpt_bytes(value: &[u8]) -> String {
    // decode no more than the characters that can be shown (4 bytes each at most)
    let head = &value[..value.len().min(QUOTE_MAX * 4 + 4)];
    if head.len() == value.len() {
        return excerpt(String::from_utf8_lossy(value));
    }
    // a longer value: its first characters, and its length in bytes
    let shown: String = String::from_utf8_lossy(head)
        .chars()
        .take(QUOTE_MAX)
        .collect();
    format!("{}… ({} bytes)", escape(shown), value.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_kept_and_controls_escaped() {
        assert_eq!(quote("NL"), "'NL'");
        assert_eq!(excerpt("Curaçao"), "Curaçao");
        assert_eq!(
            excerpt("a\nb\tc\u{1b}[2J\u{7f}"),
            "a\\nb\\tc\\u{1b}[2J\\u{7f}"
        );
        assert_eq!(excerpt("x\u{202E}y\u{200B}"), "x\\u{202e}y\\u{200b}");
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        let long = "é".repeat(10 * 1024);
        let e = excerpt(&long);
        assert!(e.starts_with(&"é".repeat(QUOTE_MAX)), "{e}");
        assert!(e.ends_with("… (10240 characters)"), "{e}");
        assert_eq!(
            e.chars().count(),
            QUOTE_MAX + "… (10240 characters)".len() - 2
        );
        // escapes count as one character of the value
        let ctl = "\u{1}".repeat(1000);
        assert_eq!(excerpt(&ctl).matches("\\u{1}").count(), QUOTE_MAX);
        let bytes = vec![b'a'; 5000];
        let b = excerpt_bytes(&bytes);
        assert!(b.ends_with("… (5000 bytes)"), "{b}");
        assert!(b.len() < 300, "{b}");
        assert_eq!(excerpt_bytes(b"ok\xFF"), "ok\u{FFFD}");
        assert_eq!(excerpt_list(["a", "b\n"]), "a, b\\n");
        let many: Vec<String> = (0..1000).map(|i| format!("column{i}")).collect();
        let l = excerpt_list(&many);
        assert!(l.len() < QUOTE_MAX + 100 && l.ends_with("more"), "{l}");
        let huge = ["x".repeat(10_000), "y".repeat(10_000)];
        assert!(excerpt_list(&huge).len() < 2 * QUOTE_MAX + 100);
    }
}
