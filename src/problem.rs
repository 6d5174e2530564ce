//! A problem found in an input file: where it is (file, line, column when known) and what is
//! wrong. Problems never stop the other files from loading.

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
