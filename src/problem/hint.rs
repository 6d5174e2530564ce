//! "Did you mean …?": the known word closest to a misspelt one, and the one way the hint is
//! written in every problem (patient files, trial rules, the command line).

/// The known word closest to `word`, for "did you mean" hints: within one edit for short
/// words, up to a third of the word's length for longer ones (a swap of two neighbouring
/// letters counts as one edit).
pub fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    known
        .iter()
        .map(|k| (edit_distance(&word.to_lowercase(), &k.to_lowercase()), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// " (did you mean 'x'?)" for the known word closest to `word`, or nothing.
pub fn did_you_mean(word: &str, known: &[&str]) -> String {
    closest(word, known)
        .map(|k| format!(" (did you mean '{}'?)", crate::text::sanitize(k)))
        .unwrap_or_default()
}

/// As [`did_you_mean`] for a field name in a TOML reader's message, which quotes names in
/// backticks: " (did you mean `x`?)".
pub fn did_you_mean_field(field: &str, known: &[&str]) -> Option<String> {
    closest(field, known).map(|k| format!(" (did you mean `{k}`?)"))
}
