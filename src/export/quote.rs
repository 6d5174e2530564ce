//! Markdown-safe quoting of data text for the referral summary: what Markdown would act on
//! (HTML, links, emphasis, entities, escapes, backticks) is quoted as a code span, so the
//! summary reads as written both printed and rendered, with no backslash escapes.

use crate::text::sanitize;

/// Data text for the summary, so that it reads as written both printed and rendered: control
/// and invisible characters shown visibly ([`sanitize`]); a word Markdown would act on — an
/// HTML tag, comment or autolink (through its closing `>`), a link or image, an entity, an
/// emphasis or strikethrough mark (`*`, `~`, an `_` not between two letters or digits), a
/// backslash before punctuation, a backtick — is quoted as a code span, which Markdown shows
/// literally, so no backslash escapes are needed and no HTML or link gets through. Everything
/// else is left as it is: data text never starts a line (each line begins with the summary's
/// own words) and the summary has no tables, so `#`, `>`, `-`, `|`, `!` or a number in it are
/// plain characters.
pub(super) fn md(s: &str) -> String {
    let s = sanitize(s);
    let words: Vec<(usize, usize)> = word_spans(&s);
    let mut out = String::with_capacity(s.len());
    let mut done = 0;
    let mut i = 0;
    // The last word to quote when word `i` must be: itself, or through a tag's closing '>'.
    let quote_to = |i: usize| {
        let (a, b) = words[i];
        match tag_start(&s[a..b]) {
            // A tag, comment or autolink needs its closing '>': quote through it.
            Some(lt) if s[a + lt..b].contains('>') => Some(i),
            // Without one here, another value on the same line could close it: quoted alone.
            Some(_) => (i + 1..words.len())
                .find(|&k| s[words[k].0..words[k].1].contains('>'))
                .or(Some(i)),
            None => risky(&s[a..b], b == s.len()).then_some(i),
        }
    };
    while i < words.len() {
        let a = words[i].0;
        if let Some(mut k) = quote_to(i) {
            // Neighbouring quoted words make one span.
            while let Some(next) = (k + 1 < words.len()).then(|| quote_to(k + 1)).flatten() {
                k = next;
            }
            let end = words[k].1;
            out.push_str(&s[done..a]);
            out.push_str(&code_span(&s[a..end]));
            done = end;
            i = k + 1;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[done..]);
    out
}

/// The byte ranges of the whitespace-separated words of `s`.
fn word_spans(s: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(a)) => {
                spans.push((a, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(a) = start {
        spans.push((a, s.len()));
    }
    spans
}

/// Where a '<' that could open raw HTML or an autolink starts in `w`: followed by a letter,
/// '/', '!' or '?'.
fn tag_start(w: &str) -> Option<usize> {
    w.char_indices().find_map(|(i, c)| {
        let next = w[i + c.len_utf8()..].chars().next();
        (c == '<' && next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')))
            .then_some(i)
    })
}

/// Whether Markdown could read `w` as something other than its characters: a backslash
/// escape or hard line break, a code span, a link or image, an entity, emphasis or strikethrough,
/// a heading's closing `#`s. `ends_text`: nothing follows `w` in the text.
fn risky(w: &str, ends_text: bool) -> bool {
    let c: Vec<char> = w.chars().collect();
    if w.contains('`') || w.contains("](") || w.contains("][") {
        return true;
    }
    if c.iter().all(|&x| x == '#') {
        return true;
    }
    // Emphasis or strikethrough (even a lone one could pair with one in another value).
    if w.contains(['*', '~']) {
        return true;
    }
    let alnum = |k: Option<&char>| k.is_some_and(|x| x.is_alphanumeric());
    c.iter().enumerate().any(|(k, &x)| match x {
        // Between two letters or digits (bilag_a) an underscore is never emphasis.
        '_' => !(alnum(k.checked_sub(1).and_then(|j| c.get(j))) && alnum(c.get(k + 1))),
        '&' => entity_follows(&c[k + 1..]),
        // An escape before punctuation; a hard line break at the end of the text (the word
        // may end the line). Before a space or a letter it is a plain backslash.
        '\\' => c.get(k + 1).map_or(ends_text, |n| n.is_ascii_punctuation()),
        _ => false,
    })
}

/// Whether `rest` (after an '&') makes an entity such as `&lt;`, `&#60;` or `&#x3C;`.
fn entity_follows(rest: &[char]) -> bool {
    let body: Vec<char> = rest.iter().take(34).copied().collect();
    let Some(end) = body.iter().position(|&x| x == ';') else {
        return false;
    };
    let name = &body[..end];
    match name {
        ['#', 'x' | 'X', hex @ ..] => !hex.is_empty() && hex.iter().all(|x| x.is_ascii_hexdigit()),
        ['#', dec @ ..] => !dec.is_empty() && dec.iter().all(|x| x.is_ascii_digit()),
        _ => !name.is_empty() && name.iter().all(|x| x.is_ascii_alphanumeric()),
    }
}

/// `s` as a Markdown code span: its characters exactly, whatever they are (a fence longer than
/// any run of backticks inside).
fn code_span(s: &str) -> String {
    let (mut longest, mut run) = (0, 0);
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_left_as_written() {
        for s in [
            "bilag_a not recorded; anti_dsdna result!",
            "INR < 1.5 x ULN, DAS28-ESR >3.2 or CDAI >10; a|b; #1; 2 × 3; C-I5",
            "Sjögren's (pSS) — ≥ 1.0×10^9/L",
        ] {
            assert_eq!(md(s), s);
        }
    }

    #[test]
    fn what_markdown_would_act_on_is_quoted_as_code() {
        for (text, quoted) in [
            // An HTML comment would hide text; quoted through its closing '>'.
            (
                "arthritis: <!-- --> 1. Failure",
                "arthritis: `<!-- -->` 1. Failure",
            ),
            (
                "x <script>alert(1)</script> y",
                "x `<script>alert(1)</script>` y",
            ),
            (
                "<a href=\"http://e.x\">click</a>",
                "`<a href=\"http://e.x\">click</a>`",
            ),
            ("see <http://e.x>", "see `<http://e.x>`"),
            // Without a closing '>' here, another value on the line could close it.
            ("hb <LLN and", "hb `<LLN` and"),
            ("INR <1.5, <= 2", "INR <1.5, <= 2"),
            // Links, images, emphasis, entities, backslashes and backticks.
            ("[click here](http://e.x)", "[click `here](http://e.x)`"),
            ("![i](http://e.x/p.png)", "`![i](http://e.x/p.png)`"),
            ("a *b* c _d_", "a `*b*` c `_d_`"),
            ("2 * 3", "2 `*` 3"),
            ("a *b* ~~d~~", "a `*b* ~~d~~`"),
            ("&lt;b&gt; &#60; R&D", "`&lt;b&gt; &#60;` R&D"),
            ("back\\*slash", "`back\\*slash`"),
            ("ends\\", "`ends\\`"),
            // Before a space or a letter a backslash is literal (the source's "ECOG: 0\\ ∙ 2").
            ("ECOG: 0\\ ∙ 2", "ECOG: 0\\ ∙ 2"),
            ("`rm -rf`", "`` `rm -rf` ``"),
            ("a``b", "```a``b```"),
            ("Title ##", "Title `##`"),
            // Controls and invisible characters are shown visibly.
            ("<script>\u{1b}[2J", "`<script>\\u{1b}[2J`"),
            ("a\u{202e}b \u{9b}", "a\\u{202e}b \\u{9b}"),
        ] {
            assert_eq!(md(text), quoted, "{text}");
        }
    }
}
