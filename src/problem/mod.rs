//! A problem found in an input file: where it is (file, line, column when known) and what is
//! wrong, with a "did you mean" hint where a close known word exists. This module is the one
//! home of source positions: trials, patients and loading all find places here (`place`).
//! Problems never stop the other files from loading. Positions in a file's text are found
//! through [`Lines`], built once per file, so a file with many problems costs no more than one
//! pass; a file's problems are capped at [`MAX_PER_FILE`].

mod hint;
mod place;

pub use hint::{closest, did_you_mean, did_you_mean_field};
pub use place::{key_line, key_pos, line_col, toml_problem};

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl Problem {
    pub fn at(file: &str, line: usize, column: usize, message: String) -> Self {
        Problem {
            file: file.to_string(),
            line: Some(line),
            column: Some(column),
            message,
        }
    }

    pub fn file(file: &str, message: String) -> Self {
        Problem {
            file: file.to_string(),
            line: None,
            column: None,
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            (Some(l), None) => write!(f, "{}:{}: {}", self.file, l, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The most problems listed for one file; the rest are counted in one last problem.
pub const MAX_PER_FILE: usize = 100;

/// Where each line of a text starts, for turning byte offsets into 1-based lines and columns
/// without rescanning the text for every problem. The index is built on the first lookup, so
/// a file without problems never pays for it.
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    src: &'a str,
    starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> Lines<'a> {
    pub fn new(src: &'a str) -> Self {
        Lines {
            src,
            starts: std::cell::OnceCell::new(),
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let starts = self.starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.src.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let offset = offset.min(self.src.len());
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let start = starts[line - 1];
        let col = self.src.get(start..offset).map_or(0, |s| s.chars().count());
        (line, col + 1)
    }
}

/// Caps `problems` of `file` at [`MAX_PER_FILE`], ending with a count of those left out.
pub fn cap(file: &str, problems: &mut Vec<Problem>) {
    if problems.len() > MAX_PER_FILE {
        let more = problems.len() - MAX_PER_FILE;
        problems.truncate(MAX_PER_FILE);
        problems.push(Problem::file(
            file,
            format!("and {more} more problems in this file (fix these first)"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_give_the_same_positions_as_a_scan() {
        let src = "a = 1\nbé = 2\n\nlast";
        let lines = Lines::new(src);
        for offset in 0..=src.len() + 2 {
            // One lookup alone reads the text up to the offset only: the same place.
            assert_eq!(
                line_col(src, offset),
                lines.line_col(offset),
                "offset {offset}"
            );
            if !src.is_char_boundary(offset) || offset > src.len() {
                continue;
            }
            let before = &src[..offset];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            assert_eq!(lines.line_col(offset), (line, col), "offset {offset}");
        }
    }

    #[test]
    fn problems_are_capped_with_a_count() {
        let mut v: Vec<Problem> = (0..150)
            .map(|i| Problem::at("f", i + 1, 1, "x".into()))
            .collect();
        cap("f", &mut v);
        assert_eq!(v.len(), MAX_PER_FILE + 1);
        assert!(v[MAX_PER_FILE].message.contains("and 50 more problems"));
    }
}
