//! Entered facts brought into what was loaded: every patient with entries in force is read
//! again as its file with the entries laid over it, and a patient with entries but no file (a
//! referral made in the app) joins the queue. Checked by the same code as any patient file.
//! Works on a whole workspace, or a chunk at a time for reports that stream.

use super::{FactEntry, apply, in_force};
use crate::load::{Workspace, parse_patient, patient_text};
use crate::patient::Profile;
use crate::problem::Problem;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashSet};

/// The `file` of a referral made in the app: it has none.
pub const NO_FILE: &str = "(entered in the app)";

/// The name a merged profile is loaded under, for its problems: the file and how many
/// entries were laid over it, or the entries alone.
pub fn merged_name(file: Option<&str>, patient: &str, entries: usize) -> String {
    let plural = if entries == 1 { "entry" } else { "entries" };
    match file {
        Some(f) => format!("{f} + {entries} {plural} in the worklist"),
        None => format!("{patient}: {entries} {plural} in the worklist"),
    }
}

/// The entries of every patient with one in force, by id compared without case.
pub struct Overlay {
    by_patient: BTreeMap<String, Vec<FactEntry>>,
    as_of: NaiveDate,
}

impl Overlay {
    pub fn new(entries: &[FactEntry], as_of: NaiveDate) -> Overlay {
        let mut by_patient: BTreeMap<String, Vec<FactEntry>> = BTreeMap::new();
        for e in entries {
            by_patient
                .entry(e.patient.to_lowercase())
                .or_default()
                .push(e.clone());
        }
        by_patient.retain(|_, own| in_force(own).next().is_some());
        Overlay { by_patient, as_of }
    }

    /// Whether no patient has an entry in force.
    pub fn is_empty(&self) -> bool {
        self.by_patient.is_empty()
    }

    /// Replaces each profile with entries in force by its file with the entries laid over it.
    /// A profile whose entries cannot be applied stays as its file says, with a problem.
    pub fn apply_to(&self, profiles: &mut [Profile], problems: &mut Vec<Problem>) {
        if self.is_empty() {
            return;
        }
        for p in profiles.iter_mut() {
            let Some(own) = self.by_patient.get(&p.id().to_lowercase()) else {
                continue;
            };
            let file = (p.file != NO_FILE).then(|| p.file.clone());
            let text = match file.as_deref().map(patient_text) {
                Some(Err(e)) => {
                    problems.push(e);
                    continue;
                }
                Some(Ok(t)) => Some(t),
                None => None,
            };
            let id = p.id().to_string();
            if let Some(merged) = self.read(file, text.as_deref(), &id, own, problems) {
                *p = merged;
            }
        }
    }

    /// The referrals made in the app: patients with entries in force whose id is not among
    /// `loaded` (lower-case ids of the patients read from files).
    pub fn referrals(&self, loaded: &HashSet<String>, problems: &mut Vec<Problem>) -> Vec<Profile> {
        self.by_patient
            .iter()
            .filter(|(id, _)| !loaded.contains(*id))
            .filter_map(|(_, own)| {
                let id = own.first().map(|e| e.patient.clone()).unwrap_or_default();
                self.read(None, None, &id, own, problems)
            })
            .collect()
    }

    /// `file`'s text (None: no file) with `own` laid over it, checked; None with a problem
    /// when the entries cannot be applied or change the id.
    fn read(
        &self,
        file: Option<String>,
        text: Option<&str>,
        id: &str,
        own: &[FactEntry],
        problems: &mut Vec<Problem>,
    ) -> Option<Profile> {
        let name = merged_name(file.as_deref(), id, in_force(own).count());
        let merged = match apply(text, own) {
            Ok(m) => m,
            Err(e) => {
                problems.push(Problem::file(&name, e.message));
                return None;
            }
        };
        match parse_patient(&name, &merged, self.as_of) {
            Ok((mut profile, found)) if profile.id().eq_ignore_ascii_case(id) => {
                problems.extend(found);
                // Still the patient's own file (or none), for the next time entries change.
                profile.file = file.unwrap_or_else(|| NO_FILE.to_string());
                Some(profile)
            }
            Ok((profile, _)) => {
                problems.push(Problem::file(
                    &name,
                    format!(
                        "the entries give the id '{}' to patient '{id}'; ids are not changed \
                         by entries",
                        profile.id()
                    ),
                ));
                None
            }
            Err(p) => {
                problems.push(p);
                None
            }
        }
    }
}

/// Lays `entries` over the patients of `ws` as loaded from their files (see the module doc):
/// a patient whose entries are all withdrawn stays as its file says, and a referral made in
/// the app whose entries are all withdrawn is gone.
pub fn overlay_entries(ws: &mut Workspace, entries: &[FactEntry], as_of: NaiveDate) {
    let overlay = Overlay::new(entries, as_of);
    if overlay.is_empty() {
        return;
    }
    overlay.apply_to(&mut ws.patients, &mut ws.problems);
    let loaded: HashSet<String> = ws.patients.iter().map(|p| p.id().to_lowercase()).collect();
    let referrals = overlay.referrals(&loaded, &mut ws.problems);
    ws.patients.extend(referrals);
}
