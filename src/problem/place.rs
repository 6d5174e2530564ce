//! Places in a file's text: the line and column of a byte offset, where a key is written,
//! and a TOML reader's error turned into a problem at its place, naming the field.

use super::Problem;

/// Where a byte offset falls: 1-based line and column (one lookup, reading the text only up
/// to the offset; a file with many positions to find builds a [`Lines`] once).
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = src.get(start..offset).map_or(0, |s| s.chars().count());
    (line, col + 1)
}

/// Where `key = ...` is written in the table that starts at `from` (the table's own position
/// when the key is not found before the next table).
pub fn key_pos(src: &str, from: usize, key: &str) -> usize {
    let Some(rest) = src.get(from..) else {
        return from;
    };
    let mut offset = from;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        let t = line.trim_start();
        if i > 0 && t.starts_with('[') {
            break;
        }
        if let Some(after) = t.strip_prefix(key)
            && after.trim_start().starts_with('=')
        {
            return offset + (line.len() - t.len());
        }
        offset += line.len();
    }
    from
}

/// Turns a TOML error into a problem at its line and column, naming the field (the dotted
/// key path) and, for a misspelt field, the close known one.
pub fn toml_problem(file: &str, src: &str, e: &toml::de::Error) -> Problem {
    let msg = e.message().trim().to_string();
    // Without its input the error's text ends with "in `key.path`" when it knows the field.
    let mut bare = e.clone();
    bare.set_input(None);
    let field = bare
        .to_string()
        .lines()
        .filter_map(|l| {
            l.strip_prefix("in `")?
                .strip_suffix('`')
                .map(str::to_string)
        })
        .next();
    // A syntax error knows no key path: name the key or table written on the error's line.
    let names_its_field = msg.starts_with("unknown field") || msg.starts_with("missing field");
    let field = field.or_else(|| {
        if names_its_field {
            return None;
        }
        let start = e.span()?.start;
        let line_start = src.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
        let line = src.get(line_start..)?.lines().next()?.trim();
        if let Some(table) = line.strip_prefix('[') {
            let name = table.trim_start_matches('[').split(']').next()?.trim();
            return (!name.is_empty()).then(|| name.to_string());
        }
        let (key, _) = line.split_once('=')?;
        let key = key.trim();
        key.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .then(|| key.to_string())
            .filter(|k| !k.is_empty())
    });
    let mut msg = match field {
        Some(f) => format!("{f}: {msg}"),
        None => msg,
    };
    if let Some((name, hint)) = unknown_field_hint(e.message()) {
        // The close known field says more than the whole list of known ones.
        msg = msg.replace(e.message().trim(), &format!("unknown field `{name}`{hint}"));
    }
    // Some errors lose their position (fields gathered by `flatten`): find the key's line.
    let start = match (
        e.span(),
        unknown_field_hint(e.message()).map(|(n, _)| n).or_else(|| {
            let rest = e.message().strip_prefix("unknown field `")?;
            rest.split('`').next().map(str::to_string)
        }),
    ) {
        (Some(span), Some(name)) if span.start == 0 => key_line(src, &name).or(Some(0)),
        (span, _) => span.map(|s| s.start),
    };
    match start {
        Some(at) => {
            let (l, c) = line_col(src, at);
            Problem::at(file, l, c, msg)
        }
        None => Problem::file(file, msg),
    }
}

/// The offset of the first line that assigns `key`.
pub fn key_line(src: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let t = line.trim_start();
        if t.strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with('='))
        {
            return Some(offset + line.len() - t.len());
        }
        offset += line.len();
    }
    None
}

/// The field and " (did you mean `x`?)" for serde's "unknown field `y`, expected one of `a`, `b`".
fn unknown_field_hint(message: &str) -> Option<(String, String)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, expected) = rest.split_once('`')?;
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    super::did_you_mean_field(field, &known).map(|hint| (field.to_string(), hint))
}
