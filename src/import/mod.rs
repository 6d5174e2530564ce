//! `trialmatch import`: patients from HL7 FHIR R4 — Bundles of any type, single resources and
//! Bulk Data NDJSON — mapped by code into patient files. This module reads every input
//! (`read`), hands each resource to its mapping (`clinical`, `observation`, `medication`,
//! through the tables in `codes`), groups the mapped facts by patient (`record`), and at the
//! end joins them to their Patient resources; `write` makes the files and `summary` lists what
//! was left out. Nothing is guessed: a code not in the tables is listed, never approximated,
//! and nothing is ever marked as checked. Patient data stays on this machine.

pub mod clinical;
pub mod codes;
pub mod fhir;
pub mod medication;
pub mod observation;
pub mod read;
pub mod record;
pub mod summary;
pub mod write;

use crate::problem::Problem;
use chrono::NaiveDate;
use fhir::Target;
use record::{Place, Record};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use summary::Summary;

/// What a mapping needs besides the resource: the as-of date, and where to say a problem.
pub struct Ctx<'a> {
    pub as_of: NaiveDate,
    pub file: &'a str,
    pub place: &'a Place,
    pub problems: &'a mut Vec<Problem>,
}

impl Ctx<'_> {
    /// A problem at the resource's place.
    pub fn problem(&mut self, message: impl Into<String>) {
        self.problems
            .push(problem_at(self.file, self.place, &message.into()));
    }
}

/// A problem at `place` of `file`: the line of an NDJSON file, the JSON pointer of an entry.
pub fn problem_at(file: &str, place: &Place, message: &str) -> Problem {
    let message = if place.pointer.is_empty() {
        message.to_string()
    } else {
        format!("{}: {message}", place.pointer)
    };
    Problem {
        file: file.to_string(),
        line: place.line,
        column: None,
        message,
    }
}

/// Whether a fact's date can be written: from 1900 to the as-of date (the patient file refuses
/// other dates, so the import never writes one).
pub fn usable(d: NaiveDate, as_of: NaiveDate) -> bool {
    d <= as_of && d >= NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// A Patient resource as read: the keys it is known by and what it says.
#[derive(Debug, Clone)]
pub struct Demographics {
    /// The id the patient file gets (the medical record number, else the resource id).
    pub id: String,
    pub name: Option<String>,
    pub dob: Option<NaiveDate>,
    pub sex: Option<&'static str>,
    /// What the Patient resource said that was left out.
    pub summary: Summary,
    pub notes: Vec<String>,
}

#[derive(Debug)]
struct PatientEntry {
    keys: Vec<String>,
    who: Demographics,
    place: Place,
}

/// A Medication resource: the catalogue drug it names, or why it names none.
#[derive(Debug, Clone)]
pub enum MedInfo {
    Drug {
        drug: &'static str,
        route: Option<&'static str>,
        /// The product's name says a local route (a cream, eye drops).
        local: bool,
        source: String,
    },
    Unmapped {
        code: String,
        display: String,
        why: String,
    },
}

/// Reads FHIR resources and keeps, per patient, what they map to.
pub struct Importer {
    as_of: NaiveDate,
    files: Vec<String>,
    groups: HashMap<String, Record>,
    patients: Vec<PatientEntry>,
    medications: HashMap<String, MedInfo>,
    problems: Vec<Problem>,
    /// Problems per input file, and those beyond [`crate::problem::MAX_PER_FILE`] not kept.
    per_file: Vec<(usize, usize)>,
    /// What was left out and is about no patient (a Practitioner, an Organization, ...).
    others: Summary,
    resources: u64,
}

/// The result of an import: one patient per Patient resource with its facts, the problems,
/// and what was left out that concerned no patient.
#[derive(Debug)]
pub struct Imported {
    pub as_of: NaiveDate,
    pub files: Vec<String>,
    pub patients: Vec<ImportedPatient>,
    pub problems: Vec<Problem>,
    pub others: Summary,
    pub resources: u64,
}

#[derive(Debug)]
pub struct ImportedPatient {
    pub who: Demographics,
    pub record: Record,
}

impl Importer {
    pub fn new(as_of: NaiveDate) -> Self {
        Importer {
            as_of,
            files: Vec::new(),
            groups: HashMap::new(),
            patients: Vec::new(),
            medications: HashMap::new(),
            problems: Vec::new(),
            per_file: Vec::new(),
            others: Summary::default(),
            resources: 0,
        }
    }

    /// Keeps a problem of input `file`, up to [`crate::problem::MAX_PER_FILE`] per file (a
    /// file of garbage never fills the memory with problems).
    fn push(&mut self, file: u32, p: Problem) {
        let i = file as usize;
        if self.per_file.len() <= i {
            self.per_file.resize(i + 1, (0, 0));
        }
        let Some(count) = self.per_file.get_mut(i) else {
            return;
        };
        if count.0 < crate::problem::MAX_PER_FILE {
            count.0 += 1;
            self.problems.push(p);
        } else {
            count.1 += 1;
        }
    }

    /// Reads the files and folders named (a folder: its `.json`, `.ndjson` and `.jsonl` files).
    pub fn read_paths(&mut self, paths: &[PathBuf]) {
        for path in paths {
            if path.is_dir() {
                let mut files: Vec<PathBuf> = match std::fs::read_dir(path) {
                    Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
                    Err(e) => {
                        self.problems.push(Problem::file(
                            &path.display().to_string(),
                            format!("cannot list folder: {e}"),
                        ));
                        continue;
                    }
                };
                files.sort();
                files.retain(|f| {
                    let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
                    f.is_file()
                        && ["json", "ndjson", "jsonl"]
                            .iter()
                            .any(|x| x.eq_ignore_ascii_case(ext))
                });
                for f in files {
                    self.read_path(&f);
                }
            } else if path.exists() {
                self.read_path(path);
            } else {
                self.problems.push(Problem::file(
                    &path.display().to_string(),
                    "no such file or folder".into(),
                ));
            }
        }
    }

    fn read_path(&mut self, path: &Path) {
        let file = self.add_file(&path.display().to_string());
        read::read_path(path, file, self);
    }

    /// Names one more input, returning its number for [`read::read_stream`].
    pub fn add_file(&mut self, name: &str) -> u32 {
        self.files.push(name.to_string());
        u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX)
    }

    /// Reads one input from memory or a pipe (`ndjson`: one resource per line).
    pub fn read_bytes(&mut self, name: &str, bytes: &[u8], ndjson: bool) {
        let file = self.add_file(name);
        read::read_stream(bytes, file, ndjson, self);
    }

    fn file_name(&self, place: &Place) -> &str {
        self.files
            .get(place.file as usize)
            .map_or("(input)", String::as_str)
    }

    /// The key of the patient a resource is about (its `field`: subject or patient), or a
    /// problem when it names none.
    fn subject(&mut self, r: &Value, field: &str, rtype: &str, place: &Place) -> Option<String> {
        let why = match r.get(field).and_then(|s| fhir::reference(s, "Patient")) {
            Some(Target::Key(k)) => return Some(k),
            Some(Target::Other(s)) => format!("{rtype}.{field} is not a Patient ({s})"),
            Some(Target::Contained(s)) => format!("{rtype}.{field} is a contained resource (#{s})"),
            None => format!("{rtype} without a {field} (the patient it is about)"),
        };
        let p = problem_at(
            self.file_name(place),
            place,
            &format!("{why}; not imported"),
        );
        self.push(place.file, p);
        None
    }

    /// Joins the facts to their patients and says what could not be joined.
    pub fn finish(mut self) -> Imported {
        // One patient per set of keys: a Patient read twice (two bundles) is one patient.
        let mut owner: HashMap<String, usize> = HashMap::new();
        let mut out: Vec<ImportedPatient> = Vec::new();
        let mut firsts: Vec<Place> = Vec::new();
        for entry in std::mem::take(&mut self.patients) {
            let known = entry.keys.iter().find_map(|k| owner.get(k).copied());
            let at = match known {
                Some(i) => {
                    let p = &mut out[i];
                    if let Some(why) = disagree(&p.who, &entry.who) {
                        let file = self.file_name(&entry.place).to_string();
                        self.problems.push(problem_at(
                            &file,
                            &entry.place,
                            &format!(
                                "a second Patient resource for '{}' {why}; the first is kept",
                                p.who.id
                            ),
                        ));
                    }
                    i
                }
                None => {
                    out.push(ImportedPatient {
                        who: entry.who.clone(),
                        record: Record::new(entry.place.clone()),
                    });
                    firsts.push(entry.place.clone());
                    out.len() - 1
                }
            };
            for k in entry.keys {
                owner.entry(k).or_insert(at);
            }
        }
        let mut keys: Vec<(String, Record)> = self.groups.drain().collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, rec) in keys {
            match owner.get(&key) {
                Some(&i) => out[i].record.merge(rec),
                None => {
                    let file = self.file_name(&rec.first).to_string();
                    self.problems.push(problem_at(
                        &file,
                        &rec.first,
                        &format!(
                            "{} resources refer to patient '{key}', but no Patient resource in \
                             the inputs has that id; they are not imported",
                            rec.resources
                        ),
                    ));
                }
            }
        }
        for p in &mut out {
            medication::resolve(&mut p.record, &self.medications);
            let who = std::mem::take(&mut p.who.summary);
            p.record.summary.merge(who);
            let notes = std::mem::take(&mut p.who.notes);
            p.record.notes.splice(0..0, notes);
        }
        out.sort_by(|a, b| a.who.id.cmp(&b.who.id));
        for (i, (_, more)) in self.per_file.iter().enumerate() {
            if *more > 0 {
                let file = self.files.get(i).map_or("(input)", String::as_str);
                self.problems.push(Problem::file(
                    file,
                    format!("and {more} more problems in this file (fix these first)"),
                ));
            }
        }
        Imported {
            as_of: self.as_of,
            files: self.files,
            patients: out,
            problems: self.problems,
            others: self.others,
            resources: self.resources,
        }
    }
}

/// How two Patient resources for one patient disagree, if they do.
fn disagree(a: &Demographics, b: &Demographics) -> Option<String> {
    if a.dob.is_some() && b.dob.is_some() && a.dob != b.dob {
        return Some("gives another birth date".into());
    }
    if a.sex.is_some() && b.sex.is_some() && a.sex != b.sex {
        return Some("gives another gender".into());
    }
    None
}

impl read::Sink for Importer {
    fn resource(&mut self, r: Value, full_url: Option<String>, place: Place) {
        self.resources += 1;
        let rtype = r
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        match rtype.as_str() {
            "Patient" => {
                let file = self.file_name(&place).to_string();
                let mut problems = Vec::new();
                let mut cx = Ctx {
                    as_of: self.as_of,
                    file: &file,
                    place: &place,
                    problems: &mut problems,
                };
                if let Some((keys, who)) = clinical::patient(&mut cx, &r, full_url.as_deref()) {
                    self.patients.push(PatientEntry {
                        keys,
                        who,
                        place: place.clone(),
                    });
                }
                for p in problems {
                    self.push(place.file, p);
                }
            }
            "Medication" => {
                medication::medication(&mut self.medications, &r, full_url.as_deref());
            }
            "Condition"
            | "AllergyIntolerance"
            | "Observation"
            | "MedicationRequest"
            | "MedicationStatement" => {
                let field = if rtype == "AllergyIntolerance" {
                    "patient"
                } else {
                    "subject"
                };
                let Some(key) = self.subject(&r, field, &rtype, &place) else {
                    return;
                };
                let mut problems = Vec::new();
                let Importer {
                    groups,
                    files,
                    as_of,
                    ..
                } = self;
                let rec = groups
                    .entry(key)
                    .or_insert_with(|| Record::new(place.clone()));
                rec.resources += 1;
                let file = files
                    .get(place.file as usize)
                    .map_or("(input)", String::as_str);
                let mut cx = Ctx {
                    as_of: *as_of,
                    file,
                    place: &place,
                    problems: &mut problems,
                };
                match rtype.as_str() {
                    "Condition" => clinical::condition(&mut cx, rec, &r),
                    "AllergyIntolerance" => clinical::allergy(&mut cx, rec, &r),
                    "Observation" => observation::observation(&mut cx, rec, &r),
                    _ => medication::course(&mut cx, rec, &r, &rtype),
                }
                for p in problems {
                    self.push(place.file, p);
                }
            }
            _ => {
                // Not imported: counted for its patient when it names one.
                let about = ["subject", "patient"]
                    .iter()
                    .find_map(|f| r.get(*f).and_then(|s| fhir::reference(s, "Patient")));
                match about {
                    Some(Target::Key(k)) => {
                        let rec = self
                            .groups
                            .entry(k)
                            .or_insert_with(|| Record::new(place.clone()));
                        rec.resources += 1;
                        rec.summary.note(&rtype, "", "", summary::NOT_IMPORTED_TYPE);
                    }
                    _ => self.others.note(&rtype, "", "", summary::NOT_IMPORTED_TYPE),
                }
            }
        }
    }

    fn problem(&mut self, place: &Place, message: String) {
        let p = problem_at(self.file_name(place), place, &message);
        self.push(place.file, p);
    }
}

/// Reads `paths` and maps what they hold, as of `as_of` (no fact dated later is imported).
pub fn import_paths(paths: &[PathBuf], as_of: NaiveDate) -> Imported {
    let mut i = Importer::new(as_of);
    i.read_paths(paths);
    i.finish()
}

/// Maps one input held in memory (tests, fuzzing): NDJSON when `ndjson`, else sniffed.
pub fn import_bytes(name: &str, bytes: &[u8], ndjson: bool, as_of: NaiveDate) -> Imported {
    let mut i = Importer::new(as_of);
    i.read_bytes(name, bytes, ndjson);
    i.finish()
}
