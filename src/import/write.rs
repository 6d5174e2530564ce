//! Writing an imported patient as a patient file: what was left out first, as comments, then
//! the facts in the patient-file format, each list item under a comment naming the code it
//! came from. A file is written only when it reads back without a problem (`load::
//! parse_patient`, the checks `trialmatch check` makes), owner-only, whole or not at all, and
//! never over an existing file.

use super::record::{Dated, Record};
use super::{Imported, ImportedPatient, problem_at};
use crate::fsutil::{Durability, create_private_dir, write_new_private};
use crate::problem::Problem;
use chrono::NaiveDate;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The most kinds of left-out items a file's header lists one by one.
const HEADER_ITEMS: usize = 400;

/// The file name for a patient id: letters, digits, '.', '-' and '_' kept, anything else '_'.
pub fn file_name(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if s.trim_matches(|c| c == '.' || c == '_').is_empty() {
        s = "patient".into();
    }
    format!("{s}.toml")
}

/// A TOML string.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML float (finite values only reach here).
fn num(v: f64) -> String {
    format!("{v:?}")
}

/// A comment line, on one line whatever the text holds (control characters made spaces).
fn comment(o: &mut String, text: &str) {
    let one: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let _ = writeln!(o, "# {}", crate::text::sanitize(one.trim_end()));
}

fn tags(list: &[&str]) -> String {
    let q: Vec<String> = list.iter().map(|t| quote(t)).collect();
    format!("[{}]", q.join(", "))
}

fn dated(o: &mut String, key: &str, d: &Dated) {
    let _ = writeln!(
        o,
        "{key} = {{ value = {}, unit = {}, date = {} }}",
        num(d.value),
        quote(d.unit),
        d.date
    );
}

/// The text of a patient's file.
pub fn render(p: &ImportedPatient, imported: &Imported) -> String {
    let r: &Record = &p.record;
    let mut o = String::with_capacity(4096);
    header(&mut o, r, imported);
    let _ = writeln!(o, "id = {}", quote(&p.who.id));
    if let Some(n) = &p.who.name {
        let _ = writeln!(o, "name = {}", quote(n));
    }
    if let Some(d) = p.who.dob {
        let _ = writeln!(o, "dob = {d}");
    }
    if let Some(s) = p.who.sex {
        let _ = writeln!(o, "sex = {}", quote(s));
    }
    if let Some(w) = &r.weight {
        dated(&mut o, "weight", w);
    }
    if let Some(h) = &r.height {
        dated(&mut o, "height", h);
    }
    // Values the patient file holds without a date: the date is kept as where they came from.
    let mut entered: Vec<(&str, String)> = Vec::new();
    let mut table = |o: &mut String, name: &str, key: &str, path: &'static str, d: &Dated| {
        let _ = writeln!(o, "\n[{name}]\n{key} = {}", num(d.value));
        entered.push((path, format!("FHIR import: {} of {}", d.source, d.date)));
    };
    if let Some(d) = &r.lvef {
        table(&mut o, "cardiac", "lvef", "cardiac.lvef", d);
    }
    if let Some(d) = &r.spo2 {
        table(&mut o, "status", "spo2", "status.spo2", d);
    }
    if !entered.is_empty() {
        let _ = writeln!(o, "\n[entered]");
        for (path, from) in &entered {
            let _ = writeln!(
                o,
                "{} = {}",
                quote(path),
                quote(&super::summary::clean(from))
            );
        }
    }
    lists(&mut o, r);
    o
}

fn header(o: &mut String, r: &Record, imported: &Imported) {
    let names: Vec<String> = imported
        .files
        .iter()
        .take(5)
        .map(|f| {
            Path::new(f)
                .file_name()
                .map_or(f.clone(), |n| n.to_string_lossy().into_owned())
        })
        .collect();
    let more = imported.files.len().saturating_sub(5);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    comment(
        o,
        &format!(
            "Imported from HL7 FHIR R4 by `trialmatch import` as of {}, from {}{more}.",
            imported.as_of,
            names.join(", ")
        ),
    );
    o.push_str(
        "# Review before use. Nothing is guessed: what could not be mapped is listed here and\n\
         # left out. FHIR cannot say \"checked: none\", so nothing is marked as checked: what is\n\
         # absent stays unknown.\n",
    );
    if !r.notes.is_empty() {
        o.push_str("#\n# Notes:\n");
        for n in &r.notes {
            comment(o, &format!("  - {n}"));
        }
    }
    if !r.older.is_empty() {
        let older: Vec<String> = r.older.iter().map(|(l, n)| format!("{l} ×{n}")).collect();
        o.push_str("#\n");
        comment(
            o,
            &format!(
                "Older results not written (the latest of each lab is): {}",
                older.join(", ")
            ),
        );
    }
    if !r.older_scores.is_empty() {
        let older: Vec<String> = r
            .older_scores
            .iter()
            .map(|(s, n)| format!("{s} ×{n}"))
            .collect();
        o.push_str("#\n");
        comment(
            o,
            &format!(
                "Older scores not written (the latest of each score is): {}",
                older.join(", ")
            ),
        );
    }
    if !r.summary.is_empty() {
        o.push_str("#\n# Not imported (count × resource, code \"display\" — why):\n");
        for line in r.summary.lines(HEADER_ITEMS) {
            comment(o, &line);
        }
    }
    o.push('\n');
}

fn lists(o: &mut String, r: &Record) {
    for d in &r.diagnoses {
        let _ = writeln!(o);
        comment(o, &d.source);
        let _ = writeln!(o, "[[diagnosis]]\ncode = {}", quote(d.code));
        let _ = writeln!(o, "name = {}", quote(&d.name));
        if let Some(day) = d.diagnosed {
            let _ = writeln!(o, "diagnosed = {day}");
        }
        if !d.tags.is_empty() {
            let _ = writeln!(o, "tags = {}", tags(&d.tags));
        }
    }
    let mut scores: Vec<_> = r.scores.iter().collect();
    scores.sort_by(|a, b| a.name.cmp(b.name).then(a.date.cmp(&b.date)));
    for s in scores {
        let _ = writeln!(o);
        comment(o, &s.source);
        let _ = writeln!(o, "[[score]]\nname = {}", quote(s.name));
        let _ = writeln!(o, "value = {}", num(s.value));
        let _ = writeln!(o, "date = {}", s.date);
    }
    let mut labs: Vec<_> = r.labs.iter().collect();
    labs.sort_by(|a, b| a.name.cmp(b.name).then(a.date.cmp(&b.date)));
    for l in labs {
        let _ = writeln!(o);
        comment(o, &l.source);
        let _ = writeln!(o, "[[lab]]\nname = {}", quote(l.name));
        if let Some(v) = l.value {
            let _ = writeln!(o, "value = {}", num(v));
        }
        if let Some(u) = &l.unit {
            let _ = writeln!(o, "unit = {}", quote(u));
        }
        if let Some(u) = l.uln {
            let _ = writeln!(o, "uln = {}", num(u));
        }
        if let Some(res) = l.result {
            let _ = writeln!(o, "result = {}", quote(res));
        }
        if let Some(t) = &l.titre {
            let _ = writeln!(o, "titre = {}", quote(t));
        }
        if let Some(m) = &l.method {
            let _ = writeln!(o, "method = {}", quote(m));
        }
        let _ = writeln!(o, "date = {}", l.date);
    }
    for c in &r.conditions {
        let _ = writeln!(o);
        comment(o, &c.source);
        let _ = writeln!(o, "[[condition]]\ncategory = {}", quote(c.category));
        let _ = writeln!(o, "name = {}", quote(&c.name));
        for (key, day) in [("onset", c.onset), ("resolved", c.resolved)] {
            if let Some(d) = day {
                let _ = writeln!(o, "{key} = {d}");
            }
        }
        if let Some(s) = c.status {
            let _ = writeln!(o, "status = {}", quote(s));
        }
        if let Some(s) = c.severity {
            let _ = writeln!(o, "severity = {}", quote(s));
        }
        if !c.tags.is_empty() {
            let _ = writeln!(o, "tags = {}", tags(&c.tags));
        }
    }
    let mut courses: Vec<_> = r.treatments.iter().collect();
    courses.sort_by(|a, b| a.drug.cmp(b.drug).then(a.course.start.cmp(&b.course.start)));
    for t in courses {
        let c = &t.course;
        let _ = writeln!(o);
        comment(o, &format!("{} ({})", t.source, c.how));
        let _ = writeln!(o, "[[treatment]]\ndrug = {}", quote(t.drug));
        for (key, day) in [("start", c.start), ("end", c.end)] {
            if let Some(d) = day {
                let _ = writeln!(o, "{key} = {d}");
            }
        }
        if let Some(g) = c.ongoing {
            let _ = writeln!(o, "ongoing = {g}");
        }
        if let Some((v, u)) = c.dose {
            let _ = writeln!(o, "dose = {{ value = {}, unit = {} }}", num(v), quote(u));
        }
        if let Some(route) = c.route {
            let _ = writeln!(o, "route = {}", quote(route));
        }
    }
    for a in &r.allergies {
        let _ = writeln!(o);
        comment(o, &a.source);
        let _ = writeln!(o, "[[allergy]]\nsubstance = {}", quote(&a.substance));
        if let Some(s) = a.severity {
            let _ = writeln!(o, "severity = {}", quote(s));
        }
        if let Some(x) = &a.reaction {
            let _ = writeln!(o, "reaction = {}", quote(x));
        }
    }
}

/// What writing the files did.
#[derive(Debug, Default)]
pub struct Written {
    /// (patient id, the file written).
    pub files: Vec<(String, PathBuf)>,
    pub problems: Vec<Problem>,
}

/// The problems a patient file's text has when read back as `check` reads it.
pub fn check_text(name: &str, text: &str, as_of: NaiveDate) -> Vec<Problem> {
    if text.len() as u64 > crate::load::MAX_FILE_BYTES {
        return vec![Problem::file(
            name,
            format!(
                "the file would be {} bytes, over the {}-byte limit of a patient file; not \
                 written",
                text.len(),
                crate::load::MAX_FILE_BYTES
            ),
        )];
    }
    match crate::load::parse_patient(name, text, as_of) {
        Ok((_, problems)) => problems,
        Err(p) => vec![p],
    }
}

/// Writes every patient of `imported` into `dir` (created owner-only when absent).
pub fn write_all(imported: &Imported, dir: &Path) -> Written {
    let mut out = Written::default();
    if imported.patients.is_empty() {
        return out;
    }
    if let Err(e) = create_private_dir(dir) {
        out.problems.push(Problem::file(
            &dir.display().to_string(),
            format!("cannot create the folder: {e}; nothing was written"),
        ));
        return out;
    }
    for p in &imported.patients {
        let path = dir.join(file_name(&p.who.id));
        let name = path.display().to_string();
        let text = render(p, imported);
        let problems = check_text(&name, &text, imported.as_of);
        if !problems.is_empty() {
            let file = imported
                .files
                .get(p.record.first.file as usize)
                .map_or("(input)", String::as_str);
            out.problems.push(problem_at(
                file,
                &p.record.first,
                &format!(
                    "patient '{}' is not written: its file would not pass check ({})",
                    p.who.id,
                    problems
                        .iter()
                        .map(|x| x.message.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            ));
            continue;
        }
        match write_new_private(&path, Durability::Buffered, |f, _| {
            f.write_all(text.as_bytes())
        }) {
            Ok(()) => out.files.push((p.who.id.clone(), path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                out.problems.push(Problem::file(
                    &name,
                    format!(
                        "already exists and was not replaced; patient '{}' is not written \
                         (choose another --out, or move the old file)",
                        p.who.id
                    ),
                ));
            }
            Err(e) => out
                .problems
                .push(Problem::file(&name, format!("{e}; not written"))),
        }
    }
    out
}
