//! Fuzz target: arbitrary rule text evaluated against every built-in sample patient, with and
//! without explanations: the two paths agree, and an unknown always names what is missing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trialmatch::eval::{Ctx, eval, truth};

fuzz_target!(|data: &[u8]| {
    let Ok(rule_text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rule) = trialmatch::trial::rule::compile(rule_text) else {
        return;
    };
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let ws = trialmatch::load::load(
        &trialmatch::load::Source::Embedded,
        &trialmatch::load::Source::Embedded,
        as_of,
    );
    for p in &ws.patients {
        let cx = |explain| Ctx { patient: p, as_of, criterion: "A-I6", explain };
        let explained = eval(&rule, &cx(true));
        assert_eq!(explained.truth, truth(&rule, &cx(false)));
        // Unknown always names what is missing; a known answer never does.
        assert_eq!(
            explained.truth == trialmatch::eval::Truth::Unknown,
            !explained.missing.is_empty()
        );
    }
});
