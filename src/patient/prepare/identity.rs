//! The patient's id: one spelling per id, so that two files cannot name one patient in two
//! ways that look the same.

use super::Checker;
use crate::patient::Patient;
use crate::problem::{Problem, line_col};

/// Trims the id, puts it in Unicode NFC and removes invisible characters (a zero-width space
/// would make "P01" and "P01\u{200b}" two patients), reporting those and an empty id.
pub(super) fn normalise_id(c: &mut Checker, p: &mut Patient) {
    let normal: String = unicode_normalization::UnicodeNormalization::nfc(p.id.trim()).collect();
    if normal.chars().any(crate::text::is_invisible) {
        let at = crate::problem::key_line(c.src, "id").unwrap_or(0);
        let (l, col) = line_col(c.src, at);
        c.problems.push(Problem::at(
            c.file,
            l,
            col,
            format!(
                "id: '{}' contains invisible characters; they are removed",
                crate::text::sanitize(&normal)
            ),
        ));
    }
    p.id = normal
        .chars()
        .filter(|ch| !crate::text::is_invisible(*ch))
        .collect();
    if p.id.trim().is_empty() {
        c.problems
            .push(Problem::at(c.file, 1, 1, "id: must not be empty".into()));
    }
}
