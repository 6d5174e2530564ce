use chrono::NaiveDate;
use std::path::PathBuf;
use trialmatch::load::{Source, load};
use trialmatch::rank::{State, Verdict, rank};
#[test]
fn dump() {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let ws = load(
        &Source::Paths(vec![PathBuf::from("trials")]),
        &Source::Paths(vec![PathBuf::from("sample-patients")]),
        as_of,
    );
    let mut out = String::new();
    for p in &ws.patients {
        for m in rank(&ws.trials, p, as_of) {
            let t = &ws.trials[m.trial];
            let best = m.best();
            let v = best.verdict();
            let deciding = if v == Verdict::Ineligible {
                State::Fail
            } else {
                State::Unknown
            };
            let ids: Vec<String> = best
                .results
                .iter()
                .filter(|r| r.state == deciding)
                .map(|r| format!("{:?}", t.criteria[r.index].id))
                .collect();
            out.push_str(&format!(
                "    ({:?}, {:?}, {}, Verdict::{:?}, &[{}]),\n",
                p.id(),
                t.id,
                match &best.cohort {
                    Some(c) => format!("Some({c:?})"),
                    None => "None".into(),
                },
                v,
                ids.join(", ")
            ));
            for r in &best.results {
                if r.state == deciding {
                    out.push_str(&format!(
                        "      // {} {}\n",
                        t.criteria[r.index].id, r.reason
                    ));
                }
            }
        }
    }
    std::fs::write("/tmp/dump.txt", out).unwrap();
}
