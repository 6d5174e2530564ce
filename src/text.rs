//! Text from data files made safe for a terminal: control characters and escape sequences are
//! shown visibly (as `\x1b`, `\u{7}`, ...) and never interpreted; and width-aware truncation.

/// Whether a character is invisible formatting that can disguise text: bidirectional
/// controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), zero-width characters
/// (U+200B–U+200D, U+2060–U+2064, U+FEFF) and the soft hyphen.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{061c}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// Replaces every control character (C0, DEL, C1) and invisible formatting character with a
/// visible escape.
pub fn sanitize(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() || is_invisible(c)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\t' => out.push(' '),
            c if c.is_control() || is_invisible(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Cuts `s` to at most `width` characters, ending with '…' when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut t: String = s.chars().take(width - 1).collect();
    t.push('…');
    t
}

/// Formats a number without trailing zeros.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_made_visible() {
        assert_eq!(sanitize("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(sanitize("bell\u{7}"), "bell\\u{7}");
        assert_eq!(sanitize("c1\u{9b}x"), "c1\\u{9b}x");
        assert_eq!(sanitize("line\nnext"), "line next");
        assert_eq!(sanitize("plain µ ≥"), "plain µ ≥");
    }

    #[test]
    fn bidi_and_invisible_characters_and_c1_controls_are_made_visible() {
        let s = sanitize("Ann\u{202e}fdp.exe\u{2066}x\u{200f}\u{9b}31m");
        assert_eq!(s, "Ann\\u{202e}fdp.exe\\u{2066}x\\u{200f}\\u{9b}31m");
        // Cut after neutralising: an escape is never split into a live character.
        let cut = truncate(&sanitize("\u{202e}abcdef"), 6);
        assert!(!cut.contains('\u{202e}'), "{cut}");
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("≥≥", 2), "≥≥");
    }
}
