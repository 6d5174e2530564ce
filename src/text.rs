//! Text from data files made safe for a terminal: control characters and escape sequences are
//! shown visibly (as `\x1b`, `\u{7}`, ...) and never interpreted; and width-aware truncation.

/// Replaces every control character (C0, DEL, C1) except none with a visible escape.
pub fn sanitize(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\t' => out.push(' '),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
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
    fn truncation_counts_characters() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("≥≥", 2), "≥≥");
    }
}
