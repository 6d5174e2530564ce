//! The referral summary sent to a study team: one patient × one study (its best cohort only)
//! as Markdown that reads as written when printed or faxed — who sends it (from the settings
//! file, [`crate::config`]), who the patient is, the verdict, the criteria met with their
//! evidence, the open questions, whom to call, and the worklist's decision history. Data text
//! needs no backslash escapes (see `md`) and vocabulary codes are put in words (see `plain`).
//! Written owner-only, never over another file, and all or nothing (a full disk leaves no
//! truncated summary).

use crate::config::Sender;
use crate::missing::missing_facts;
use crate::patient::{Profile, Sex};
use crate::rank::{CohortResult, State, TrialMatch, rank_with};
use crate::text::sanitize;
use crate::trial::{NOT_STATED, Trial};
use crate::worklist::{Entry, History, print};
use chrono::{DateTime, Local, NaiveDate};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Where the UI writes summaries: a `referrals` folder beside the worklist database.
pub fn referrals_dir(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("referrals")
}

/// Data text for the summary, so that it reads as written both printed and rendered: control
/// and invisible characters shown visibly ([`sanitize`]); a word Markdown would act on — an
/// HTML tag, comment or autolink (through its closing `>`), a link or image, an entity, an
/// emphasis or strikethrough mark (`*`, `~`, an `_` not between two letters or digits), a
/// backslash before punctuation, a backtick — is quoted as a code span, which Markdown shows
/// literally, so no backslash escapes are needed and no HTML or link gets through. Everything
/// else is left as it is: data text never starts a line (each line begins with the summary's
/// own words) and the summary has no tables, so `#`, `>`, `-`, `|`, `!` or a number in it are
/// plain characters.
fn md(s: &str) -> String {
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

/// Vocabulary codes in the engine's reasons and missing facts as a reader says them.
const WORDS: &[(&str, &str)] = &[
    // Labs.
    ("alt", "ALT"),
    ("ast", "AST"),
    ("ck", "CK"),
    ("ldh", "LDH"),
    ("tbil", "total bilirubin"),
    ("wbc", "WBC"),
    ("inr", "INR"),
    ("pt", "PT"),
    ("crp", "CRP"),
    ("esr", "ESR"),
    ("urine_protein_24h", "24-hour urine protein"),
    ("upcr", "UPCR"),
    ("fvc_pct", "FVC % predicted"),
    ("dlco_pct", "DLCO % predicted"),
    ("serum_hcg", "serum hCG"),
    ("ana", "ANA"),
    ("iif", "IIF"),
    ("ifa", "IFA"),
    ("anti_dsdna", "anti-dsDNA"),
    ("anti_sm", "anti-Sm"),
    ("myositis_antibody", "myositis antibody"),
    ("hbsag", "HBsAg"),
    ("hbcab", "HBcAb"),
    ("hbv_dna", "HBV DNA"),
    ("hcv_ab", "HCV antibody"),
    ("hcv_rna", "HCV RNA"),
    ("hiv_ab", "HIV antibody"),
    ("pregnancy_test", "pregnancy test"),
    ("anti_jo1", "anti-Jo-1"),
    ("anti_pl7", "anti-PL-7"),
    ("anti_pl12", "anti-PL-12"),
    ("anti_ej", "anti-EJ"),
    ("anti_oj", "anti-OJ"),
    ("anti_mi2", "anti-Mi-2"),
    ("anti_mda5", "anti-MDA5"),
    ("anti_tif1g", "anti-TIF1-gamma"),
    ("anti_nxp2", "anti-NXP2"),
    ("anti_sae", "anti-SAE"),
    ("anti_srp", "anti-SRP"),
    ("anti_hmgcr", "anti-HMGCR"),
    ("anti_ro52", "anti-Ro52"),
    ("anti_pm_scl", "anti-PM-Scl"),
    ("anti_ku", "anti-Ku"),
    // Scores.
    ("sledai2k", "SLEDAI-2K"),
    ("bilag_a", "BILAG A"),
    ("bilag_b", "BILAG B"),
    ("essdai", "ESSDAI"),
    ("das28_esr", "DAS28-ESR"),
    ("das28_crp", "DAS28-CRP"),
    ("cdai", "CDAI"),
    ("sjc66", "swollen joint count (66 joints)"),
    ("tjc68", "tender joint count (68 joints)"),
    ("mmt8", "MMT-8"),
    ("haq", "HAQ"),
    ("phga", "physician global assessment"),
    ("ptga", "patient global assessment"),
    ("mrss", "mRSS"),
    ("mrss_change_pct", "mRSS change (%)"),
    ("fvc_change_pct", "FVC change (%)"),
    ("dlco_change_pct", "DLCO change (%)"),
    ("sharp_change_1y", "Sharp score change in 1 year"),
    ("egfr_decline_pct_3m", "eGFR decline in 3 months (%)"),
    // Treatment classes and outcomes.
    ("calcineurin_inhibitor", "calcineurin inhibitor"),
    ("b_cell_targeted", "B-cell-targeted"),
    ("csf", "colony-stimulating factor"),
    ("ace_inhibitor", "ACE inhibitor"),
    ("arb", "ARB"),
    ("iv_antibiotic", "IV antibiotic"),
    // Conditions and tags.
    ("drug_induced_lupus", "drug-induced lupus"),
    ("drug_induced_myositis", "drug-induced myositis"),
    ("tumor_associated_myositis", "tumor-associated myositis"),
    ("end_stage_renal_failure", "end-stage renal failure"),
    ("cns_disease", "CNS disease"),
    ("cns", "CNS"),
    ("gilbert", "Gilbert"),
    ("gilbert_syndrome", "Gilbert syndrome"),
    ("secondary_igan_cause", "secondary cause of IgA nephropathy"),
    ("mds", "MDS"),
    ("mpd", "MPD"),
    ("non_melanoma", "non-melanoma"),
    ("non_psychotic", "non-psychotic"),
    ("biopsy_confirmed", "biopsy-confirmed"),
    ("mcd", "MCD"),
    ("fsgs", "FSGS"),
    ("lupus_nephritis", "lupus nephritis"),
];

/// Diagnosis codes as clinicians write them.
const DIAGNOSIS_WORDS: &[(&str, &str)] = &[
    ("ra", "RA"),
    ("asys", "ASyS"),
    ("sle", "SLE"),
    ("pss", "pSS"),
    ("ssc", "SSc"),
    ("iim", "IIM"),
    ("dm", "dermatomyositis"),
    ("pm", "polymyositis"),
    ("nm", "necrotising myopathy"),
    ("srns", "SRNS"),
    ("igan", "IgA nephropathy"),
    ("ild", "ILD"),
    ("lupus_nephritis", "lupus nephritis"),
    ("drug_induced_lupus", "drug-induced lupus"),
];

/// Whether `code` is a word of the shared vocabulary (lab, score, diagnosis, class, outcome,
/// condition, status or tag).
fn in_vocabulary(code: &str) -> bool {
    use crate::vocab as v;
    [
        v::LABS,
        v::SCORES,
        v::DIAGNOSES,
        v::CLASSES,
        v::OUTCOMES,
        v::CATEGORIES,
        v::STATUSES,
    ]
    .iter()
    .chain(v::TAG_AXES)
    .any(|list| list.contains(&code))
}

/// A vocabulary code (any case) in plain words, or `None` when `code` is not one.
fn code_words(code: &str) -> Option<String> {
    let lower = code.to_ascii_lowercase();
    let known = |table: &[(&str, &str)]| {
        table
            .iter()
            .find(|(c, _)| *c == lower)
            .map(|(_, w)| (*w).to_string())
    };
    known(DIAGNOSIS_WORDS)
        .or_else(|| known(WORDS))
        .or_else(|| (lower.contains('_') && in_vocabulary(&lower)).then(|| lower.replace('_', " ")))
}

/// A diagnosis entry's code as a label, when the patient file gives no name.
fn diagnosis_label(code: &str) -> String {
    code_words(code).unwrap_or_else(|| code.to_string())
}

/// The engine's words (a reason, a missing fact) with the vocabulary codes they carry in plain
/// words: `b_cell_targeted` → "B-cell-targeted", `DRUG_INDUCED_LUPUS` → "drug-induced lupus",
/// `serum_hcg` → "serum hCG". Lower-case codes are changed wherever they stand; an upper-case
/// code with an underscore likewise; a short upper-case diagnosis code (DM, SSC) only where the
/// engine puts one — starting a clause, after "no ", or before " diagnosis" or " meets" — so
/// patient text quoted inside a reason ("DM type 2") keeps its own words.
fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut done = 0;
    let is_code_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = s.char_indices().peekable();
    while let Some((a, c)) = chars.next() {
        if !is_code_char(c) {
            continue;
        }
        let mut b = a + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if !is_code_char(d) {
                break;
            }
            b = j + d.len_utf8();
            chars.next();
        }
        let tok = &s[a..b];
        let lower = tok.bytes().all(|x| !x.is_ascii_uppercase());
        let upper = tok.bytes().all(|x| !x.is_ascii_lowercase());
        let words = if lower {
            let k = WORDS
                .iter()
                .find(|(c, _)| *c == tok)
                .map(|(_, w)| (*w).to_string());
            k.or_else(|| (tok.contains('_') && in_vocabulary(tok)).then(|| tok.replace('_', " ")))
        } else if upper && tok.contains('_') {
            code_words(tok)
        } else if upper {
            let before = s[..a].trim_end_matches(' ');
            let after = &s[b..];
            let engine = before.is_empty()
                || before.ends_with(';')
                || s[..a].ends_with("no ")
                || after.starts_with(" diagnosis")
                || after.starts_with(" meets")
                || after.starts_with(" classification");
            let lc = tok.to_ascii_lowercase();
            DIAGNOSIS_WORDS
                .iter()
                .find(|(c, _)| engine && *c == lc)
                .map(|(_, w)| (*w).to_string())
        } else {
            None
        };
        if let Some(w) = words {
            out.push_str(&s[done..a]);
            out.push_str(&w);
            done = b;
        }
    }
    out.push_str(&s[done..]);
    out
}

fn or_not_stated(v: &Option<String>) -> String {
    v.as_deref().map_or(NOT_STATED.to_string(), md)
}

/// The summary for `patient` and the study at index `trial`, evaluated as of `as_of`, with
/// no sender configured (the block says so): see [`referral_markdown_from`].
pub fn referral_markdown(
    trials: &[Trial],
    trial: usize,
    patient: &Profile,
    as_of: NaiveDate,
    history: &History,
    written: DateTime<Local>,
) -> Option<String> {
    let none = Sender::default();
    referral_markdown_from(trials, trial, patient, as_of, history, written, &none)
}

/// The summary for `patient` and the study at index `trial`, evaluated as of `as_of`, for the
/// study's best cohort only. `history` is the pair's history (decisions withdrawn as entered in
/// error are shown struck through, with the withdrawal); `written` stamps the document;
/// `sender` is the block saying who sends it (see [`crate::config`]).
pub fn referral_markdown_from(
    trials: &[Trial],
    trial: usize,
    patient: &Profile,
    as_of: NaiveDate,
    history: &History,
    written: DateTime<Local>,
    sender: &Sender,
) -> Option<String> {
    let t = trials.get(trial)?;
    let matches = rank_with(trials, patient, as_of, true);
    let m = matches.iter().find(|m| m.trial == trial)?;
    let best = m.cohorts.first()?;
    let doc = Doc {
        trials,
        t,
        m,
        best,
        patient,
        as_of,
        history,
        written,
        sender,
    };
    let mut o = String::new();
    // Writing to a String cannot fail.
    let _ = doc.write(&mut o);
    Some(o)
}

/// What one summary is written from.
struct Doc<'a> {
    trials: &'a [Trial],
    t: &'a Trial,
    m: &'a TrialMatch,
    best: &'a CohortResult,
    patient: &'a Profile,
    as_of: NaiveDate,
    history: &'a History,
    written: DateTime<Local>,
    sender: &'a Sender,
}

impl Doc<'_> {
    fn write(&self, o: &mut String) -> std::fmt::Result {
        let (t, patient, as_of) = (self.t, self.patient, self.as_of);
        writeln!(
            o,
            "# Referral summary: patient {} for {}\n",
            md(patient.id()),
            md(&t.short_name)
        )?;
        writeln!(
            o,
            "Screened as of {as_of} by trialmatch; written {}. Every criterion below is \
             quoted from the study's source documents.\n",
            self.written.format("%Y-%m-%d %H:%M %Z")
        )?;
        self.write_sender(o)?;
        self.write_patient(o)?;
        self.write_study(o)?;
        self.write_criteria(o, "Criteria met", State::Pass)?;
        self.write_criteria(o, "Criteria not met", State::Fail)?;
        self.write_criteria(o, "Criteria not yet decided", State::Unknown)?;
        self.write_open_questions(o)?;
        self.write_contacts(o)?;
        self.write_history(o)
    }

    /// Who sends the summary, from the settings file; what is missing is said.
    fn write_sender(&self, o: &mut String) -> std::fmt::Result {
        writeln!(o, "## From\n")?;
        let mut missing = Vec::new();
        for (key, label, value) in self.sender.fields() {
            match value {
                Some(v) => writeln!(o, "- {label}: {}", md(v))?,
                None => missing.push(if key == "name" {
                    "coordinator name"
                } else {
                    key
                }),
            }
        }
        if !missing.is_empty() {
            let list = match missing.as_slice() {
                [one] => (*one).to_string(),
                [init @ .., last] => format!("{} or {last}", init.join(", ")),
                [] => String::new(),
            };
            writeln!(
                o,
                "- Sender not configured — run `trialmatch config` (no {list} given)"
            )?;
        }
        writeln!(o)
    }

    fn write_patient(&self, o: &mut String) -> std::fmt::Result {
        let (patient, as_of) = (self.patient, self.as_of);
        writeln!(o, "## Patient\n")?;
        writeln!(o, "- Patient id: {}", md(patient.id()))?;
        let name = patient
            .data
            .name
            .as_deref()
            .map_or("not recorded".into(), md);
        writeln!(o, "- Name: {name}")?;
        let dob = patient.data.dob.as_ref().map(|d| d.get_ref().0);
        match dob {
            Some(d) => writeln!(
                o,
                "- Date of birth: {d} (age {} on {as_of})",
                crate::derive::age_years(d, as_of)
            )?,
            None => writeln!(o, "- Date of birth: not recorded")?,
        }
        let sex = match patient.data.sex.as_ref().map(|s| *s.get_ref()) {
            Some(Sex::Female) => "female",
            Some(Sex::Male) => "male",
            None => "not recorded",
        };
        writeln!(o, "- Sex: {sex}")?;
        for d in &patient.data.diagnosis {
            let label = match d.name.as_deref() {
                Some(n) => n.to_string(),
                None => diagnosis_label(d.code.get_ref()),
            };
            writeln!(o, "- Diagnosis: {}", md(&label))?;
        }
        if let Some(r) = &patient.data.referral {
            if let Some(c) = &r.clinician {
                writeln!(o, "- Referring clinician: {}", md(c))?;
            }
            if let Some(c) = &r.contact {
                writeln!(o, "- Referrer contact: {}", md(c))?;
            }
        }
        Ok(())
    }

    fn write_study(&self, o: &mut String) -> std::fmt::Result {
        let t = self.t;
        writeln!(o, "\n## Study\n")?;
        writeln!(o, "- Study: {} ({})", md(&t.short_name), md(&t.id))?;
        writeln!(o, "- Title: {}", md(&t.title))?;
        // The registry id as the contacts screen shows it: from the source, else a listing
        // outside the sources, with where it comes from and how sure it is.
        let registry = match &t.meta.registry_id {
            Some(id) => md(id),
            None => t
                .external_facts
                .iter()
                .find(|f| f.field.eq_ignore_ascii_case("registry id"))
                .map_or(NOT_STATED.to_string(), |f| {
                    format!(
                        "{} (from a {}{}; not in the study's own documents)",
                        md(&f.value),
                        md(&f.source),
                        f.confidence
                            .as_deref()
                            .map(|c| format!(", {}", md(c)))
                            .unwrap_or_default()
                    )
                }),
        };
        writeln!(o, "- Registry id: {registry}")?;
        writeln!(
            o,
            "- Sponsor study id: {}",
            or_not_stated(&t.meta.sponsor_id)
        )?;
        // Only the cohort the summary is about: the others' criteria and questions are not
        // the study team's concern for this referral.
        let cohort = match &self.best.cohort {
            Some(id) => t
                .cohorts
                .iter()
                .find(|c| &c.id == id)
                .map_or(md(id), |c| format!("{} ({})", md(&c.name), md(&c.id))),
            None => "whole study (no cohorts)".to_string(),
        };
        writeln!(o, "- Cohort: {cohort}")?;
        let c = self.best.counts;
        writeln!(
            o,
            "- Verdict: {} — {} of {} criteria pass, {} fail, {} unknown",
            self.best.verdict().as_str(),
            c.pass,
            c.total(),
            c.fail,
            c.unknown
        )
    }

    fn write_criteria(&self, o: &mut String, title: &str, state: State) -> std::fmt::Result {
        let rows: Vec<_> = self
            .best
            .results
            .iter()
            .filter(|r| r.state == state)
            .collect();
        writeln!(o, "\n## {title} ({})\n", rows.len())?;
        if rows.is_empty() {
            return writeln!(o, "None.");
        }
        for r in rows {
            let Some(cr) = self.t.criteria.get(r.index) else {
                continue;
            };
            writeln!(
                o,
                "- {} ({}): {}\n  - {}: {}",
                md(&cr.id),
                cr.kind.as_str(),
                md(&cr.text),
                if state == State::Unknown {
                    "Why unknown"
                } else {
                    "Evidence"
                },
                md(&plain(&r.reason))
            )?;
        }
        Ok(())
    }

    /// The facts missing for the shown cohort's criteria, never another cohort's.
    fn write_open_questions(&self, o: &mut String) -> std::fmt::Result {
        let shown = TrialMatch {
            trial: self.m.trial,
            cohorts: vec![self.best.clone()],
        };
        let facts = missing_facts(self.trials, std::slice::from_ref(&shown));
        writeln!(o, "\n## Open questions ({})\n", facts.len())?;
        if facts.is_empty() {
            writeln!(o, "None: every fact the criteria need is recorded.")?;
        }
        for f in &facts {
            let ids: Vec<String> = f.blocks.iter().map(|(_, _, id)| md(id)).collect();
            writeln!(
                o,
                "- {} — needed by {}",
                md(&plain(&f.fact)),
                ids.join(", ")
            )?;
        }
        Ok(())
    }

    fn write_contacts(&self, o: &mut String) -> std::fmt::Result {
        let t = self.t;
        writeln!(o, "\n## Whom to contact\n")?;
        writeln!(
            o,
            "- Principal investigator: {}",
            or_not_stated(&t.meta.principal_investigator)
        )?;
        if t.contacts.is_empty() {
            writeln!(o, "- Contacts: {NOT_STATED}")?;
        }
        for c in &t.contacts {
            writeln!(
                o,
                "- {}{} — phone: {}; email: {}{}",
                md(&c.name),
                c.role
                    .as_deref()
                    .map_or(String::new(), |r| format!(", {}", md(r))),
                or_not_stated(&c.phone),
                or_not_stated(&c.email),
                c.site
                    .as_deref()
                    .map_or(String::new(), |s| format!("; site: {}", md(s)))
            )?;
        }
        if t.sites.is_empty() {
            writeln!(o, "- Sites: {NOT_STATED}")?;
        }
        for s in &t.sites {
            let place: Vec<String> = [&s.city, &s.region, &s.country]
                .into_iter()
                .flatten()
                .map(|p| md(p))
                .collect();
            writeln!(
                o,
                "- Site: {}{}{}",
                md(&s.name),
                if place.is_empty() {
                    String::new()
                } else {
                    format!(", {}", place.join(", "))
                },
                s.status
                    .as_deref()
                    .map_or(String::new(), |st| format!(" ({})", md(st)))
            )?;
        }
        Ok(())
    }

    /// The pair's worklist history, one line each (a list rather than a table, so nothing in a
    /// note needs escaping); "Recorded by" names the computer account that entered it.
    fn write_history(&self, o: &mut String) -> std::fmt::Result {
        let history = self.history;
        writeln!(o, "\n## Decision history\n")?;
        if history.is_empty() {
            return writeln!(o, "No decisions recorded in the worklist.");
        }
        writeln!(
            o,
            "From the coordinator's worklist, oldest first; \"Recorded by\" is the computer \
             account that entered each line.\n"
        )?;
        let when = |at: &DateTime<chrono::Utc>| {
            at.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        };
        let note = |n: &str, struck: bool| match (n.trim().is_empty(), struck) {
            (true, _) => String::new(),
            (false, false) => format!(" Note: {}", md(n)),
            (false, true) => format!(" Note: ~~{}~~", md(n)),
        };
        for e in history.entries() {
            let (at, status, who, note) = match e {
                Entry::Decision {
                    decision: d,
                    withdrawn: None,
                } => (
                    d.at,
                    d.status.label().to_string(),
                    &d.who,
                    note(&d.note, false),
                ),
                // Struck through, and said in words for whoever reads it printed.
                Entry::Decision {
                    decision: d,
                    withdrawn: Some(_),
                } => (
                    d.at,
                    format!("~~{}~~ — {}", d.status.label(), print::WITHDRAWN),
                    &d.who,
                    note(&d.note, true),
                ),
                Entry::Withdrawal(w) => {
                    let of = history
                        .decisions
                        .iter()
                        .find(|d| d.seq == w.withdraws)
                        .map_or_else(|| format!("#{}", w.withdraws), |d| when(&d.at));
                    (
                        w.at,
                        format!(
                            "{}: withdraws the {} of {of}",
                            print::ENTERED_IN_ERROR,
                            w.status.label()
                        ),
                        &w.who,
                        note(&w.note, false),
                    )
                }
            };
            writeln!(
                o,
                "- {}: {status}. Recorded by {}.{note}",
                when(&at),
                md(who)
            )?;
        }
        Ok(())
    }
}

/// A file-name-safe form of an id: letters, digits, '-' and '_' kept, the rest '_'.
fn file_part(s: &str) -> String {
    s.chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes the summary (the UI's `e`) with the sender block of the user's settings file, read
/// now (see [`crate::config::sender`]); a settings file that cannot be read is an error and
/// nothing is written. See [`write_referral_from`].
pub fn write_referral(
    dir: &Path,
    trials: &[Trial],
    trial: usize,
    patient: &Profile,
    as_of: NaiveDate,
    history: &History,
) -> io::Result<PathBuf> {
    let sender = crate::config::sender().map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{e}; no summary was written"),
        )
    })?;
    write_referral_from(dir, trials, trial, patient, as_of, history, &sender)
}

/// Writes the summary into `dir` (created owner-only) as
/// `referral-<patient>-<study>-<as-of>.md`, adding `-2`, `-3`, ... rather than replacing an
/// earlier summary; returns the path written.
pub fn write_referral_from(
    dir: &Path,
    trials: &[Trial],
    trial: usize,
    patient: &Profile,
    as_of: NaiveDate,
    history: &History,
    sender: &Sender,
) -> io::Result<PathBuf> {
    let doc = referral_markdown_from(trials, trial, patient, as_of, history, Local::now(), sender)
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such study"))?;
    let study = trials.get(trial).map_or("study", |t| t.id.as_str());
    crate::fsutil::create_private_dir(dir)?;
    let stem = format!(
        "referral-{}-{}-{as_of}",
        file_part(patient.id()),
        file_part(study)
    );
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}.md")
        } else {
            format!("{stem}-{n}.md")
        };
        let path = dir.join(name);
        if std::fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        let written =
            crate::fsutil::write_new_private(&path, crate::fsutil::Durability::Synced, |f, _| {
                f.write_all(doc.as_bytes())
            });
        match written {
            Ok(()) => return Ok(path),
            // Taken a moment ago by another trialmatch: the next number.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{}: 999 summaries of this pair already exist",
            dir.display()
        ),
    ))
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
        // An HTML comment would hide text; quoted through its closing '>'.
        assert_eq!(
            md("arthritis: <!-- --> 1. Failure"),
            "arthritis: `<!-- -->` 1. Failure"
        );
        assert_eq!(
            md("x <script>alert(1)</script> y"),
            "x `<script>alert(1)</script>` y"
        );
        assert_eq!(
            md("<a href=\"http://e.x\">click</a>"),
            "`<a href=\"http://e.x\">click</a>`"
        );
        assert_eq!(md("see <http://e.x>"), "see `<http://e.x>`");
        // Without a closing '>' here, another value on the line could close it.
        assert_eq!(md("hb <LLN and"), "hb `<LLN` and");
        assert_eq!(md("INR <1.5, <= 2"), "INR <1.5, <= 2");
        // Links, images, emphasis, entities, backslashes and backticks.
        assert_eq!(md("[click here](http://e.x)"), "[click `here](http://e.x)`");
        assert_eq!(md("![i](http://e.x/p.png)"), "`![i](http://e.x/p.png)`");
        assert_eq!(md("a *b* c _d_"), "a `*b*` c `_d_`");
        assert_eq!(md("2 * 3"), "2 `*` 3");
        assert_eq!(md("a *b* ~~d~~"), "a `*b* ~~d~~`");
        assert_eq!(md("&lt;b&gt; &#60; R&D"), "`&lt;b&gt; &#60;` R&D");
        assert_eq!(md("back\\*slash"), "`back\\*slash`");
        assert_eq!(md("ends\\"), "`ends\\`");
        // Before a space or a letter a backslash is literal (the source's "ECOG: 0\\ ∙ 2").
        assert_eq!(md("ECOG: 0\\ ∙ 2"), "ECOG: 0\\ ∙ 2");
        assert_eq!(md("`rm -rf`"), "`` `rm -rf` ``");
        assert_eq!(md("a``b"), "```a``b```");
        assert_eq!(md("Title ##"), "Title `##`");
        // Controls and invisible characters are shown visibly.
        assert_eq!(md("<script>\u{1b}[2J"), "`<script>\\u{1b}[2J`");
        assert_eq!(md("a\u{202e}b \u{9b}"), "a\\u{202e}b \\u{9b}");
        assert_eq!(file_part("p/../x y"), "p____x_y");
    }

    #[test]
    fn codes_read_as_words() {
        assert_eq!(
            plain("b_cell_targeted within 1 month: belimumab"),
            "B-cell-targeted within 1 month: belimumab"
        );
        assert_eq!(
            plain("no DRUG_INDUCED_LUPUS diagnosis (diagnosis list checked complete)"),
            "no drug-induced lupus diagnosis (diagnosis list checked complete)"
        );
        assert_eq!(
            plain("no DM diagnosis; SSC meets ACR; DM muscle involvement"),
            "no dermatomyositis diagnosis; SSc meets ACR; dermatomyositis muscle involvement"
        );
        assert_eq!(plain("serum_hcg negative"), "serum hCG negative");
        assert_eq!(
            plain("immunosuppressant/calcineurin_inhibitor/b_cell_targeted"),
            "immunosuppressant/calcineurin inhibitor/B-cell-targeted"
        );
        assert_eq!(
            plain("bilag_a not recorded (needs ≥ 1)"),
            "BILAG A not recorded (needs ≥ 1)"
        );
        // Patient text inside a reason keeps its own words.
        assert_eq!(
            plain("recorded but not matching: DM type 2 (PM clinic)"),
            "recorded but not matching: DM type 2 (PM clinic)"
        );
        assert_eq!(diagnosis_label("lupus_nephritis"), "lupus nephritis");
        assert_eq!(diagnosis_label("x_unknown"), "x_unknown");
    }

    #[test]
    fn every_vocabulary_code_with_an_underscore_has_words() {
        use crate::vocab as v;
        let lists = [
            v::LABS,
            v::SCORES,
            v::DIAGNOSES,
            v::CLASSES,
            v::OUTCOMES,
            v::CATEGORIES,
        ];
        for code in lists.iter().chain(v::TAG_AXES).flat_map(|l| l.iter()) {
            let words = plain(code);
            assert!(!words.contains('_'), "{code} -> {words}");
            assert!(!plain(&code.to_uppercase()).contains('_') || !code.contains('_'));
        }
    }
}
