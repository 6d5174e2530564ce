//! The checked patient indexed for evaluation: vocabulary ids and class bitmasks aligned with
//! the file's lists, the latest result of each lab and score, the latest attestation of each
//! criterion, and the values derived at the as-of date; word lists once held as bitmasks and
//! the parser's spare capacity are dropped (a large queue's memory matters).

use super::measures::Body;
use crate::patient::recorded::RECORDED;
use crate::patient::{Facts, LabFact, Patient, Profile, facts};
use crate::problem::{key_line, line_col};
use crate::vocab;
use chrono::NaiveDate;

pub(super) fn profile(
    file: &str,
    src: &str,
    mut p: Patient,
    labs: Vec<LabFact>,
    body: Body,
    recorded: [f64; RECORDED.len()],
    as_of: NaiveDate,
) -> Profile {
    let ids = |list: &[&str], name: &str| vocab::index(list, name).unwrap_or(u8::MAX);
    let latest_labs = latest_by_id(labs.iter().map(|l| (l.id, l.date)));
    let latest_scores = latest_by_id(
        p.score
            .iter()
            .map(|s| (ids(vocab::SCORES, s.name.get_ref()), s.date)),
    );
    let checked_categories = p.checked.as_ref().map_or(0, |ch| {
        ch.conditions
            .iter()
            .filter_map(|c| vocab::index(vocab::CATEGORIES, c.get_ref()))
            .fold(0u64, |m, i| m | (1 << i))
    });
    let class_masks: Vec<u32> = p
        .treatment
        .iter()
        .map(|t| vocab::class_mask(&t.classes))
        .collect();
    // As with the labs: once held as bitmasks, the word lists are not kept (memory at scale).
    if let Some(ch) = &mut p.checked {
        ch.conditions = Vec::new();
    }
    for t in &mut p.treatment {
        t.classes = Vec::new();
    }
    shrink(&mut p);
    let attestation_keys: Vec<u64> = p
        .attestation
        .iter()
        .map(|a| vocab::key(a.criterion.get_ref()))
        .collect();
    let mut profile = Profile {
        file: file.to_string(),
        id_pos: key_line(src, "id").map(|at| line_col(src, at)),
        diagnosis_ids: p
            .diagnosis
            .iter()
            .map(|d| ids(vocab::DIAGNOSES, d.code.get_ref()))
            .collect(),
        condition_ids: p
            .condition
            .iter()
            .map(|d| ids(vocab::CATEGORIES, d.category.get_ref()))
            .collect(),
        class_masks,
        checked_categories,
        attested: facts::latest_attestations(&p.attestation, &attestation_keys),
        attestation_keys,
        latest_labs,
        latest_scores,
        data: p,
        weight_kg: body.weight_kg,
        height_cm: body.height_cm,
        labs,
        facts: Facts::default(),
        recorded,
    };
    profile.facts = Facts::new(&profile, as_of);
    profile
}

/// Drops the spare capacity the parser's growing lists leave (a fifth to a half of each list;
/// at 100,000 patients in memory it adds up to hundreds of megabytes).
fn shrink(p: &mut Patient) {
    p.diagnosis.shrink_to_fit();
    for d in &mut p.diagnosis {
        d.criteria.shrink_to_fit();
        d.tags.shrink_to_fit();
    }
    p.score.shrink_to_fit();
    p.treatment.shrink_to_fit();
    p.condition.shrink_to_fit();
    for c in &mut p.condition {
        c.tags.shrink_to_fit();
    }
    p.allergy.shrink_to_fit();
    p.trial_participation.shrink_to_fit();
    p.attestation.shrink_to_fit();
}

/// No item: the `latest_*` index of an id without one.
const NONE: u32 = u32::MAX;

/// For each id below `n`, the position of its latest item (later dates win; undated items
/// count as oldest; among equal dates the later item in the file wins).
fn latest_by_id<const N: usize>(items: impl Iterator<Item = (u8, Option<NaiveDate>)>) -> [u32; N] {
    let mut best: [Option<(usize, Option<NaiveDate>)>; N] = [None; N];
    for (i, (id, date)) in items.enumerate() {
        if let Some(slot) = best.get_mut(usize::from(id))
            && slot.is_none_or(|(_, d)| d <= date)
        {
            *slot = Some((i, date));
        }
    }
    best.map(|b| b.map_or(NONE, |(i, _)| u32::try_from(i).unwrap_or(NONE)))
}
