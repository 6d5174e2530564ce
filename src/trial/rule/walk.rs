//! Walks over a compiled rule: the rules inside a composite, every rule in the tree, the
//! judgements it asks a clinician for, and its spans (to place the trial's screening window).

use super::{Num, Rule, Span, TreatFilter};

/// The rules directly inside a composite (none for a leaf), as a slice made by `$one` from a
/// single boxed rule: written once for shared and for mutable access.
macro_rules! children {
    ($rule:expr, $one:path, $none:expr) => {
        match $rule {
            Rule::All(v)
            | Rule::Any(v)
            | Rule::AtLeast(_, v)
            | Rule::Found(v)
            | Rule::Evidence(v) => v,
            Rule::Not(r) | Rule::KnownOrAttested { rule: r, .. } => $one(r),
            _ => $none,
        }
    };
}

impl Rule {
    /// The rules directly inside a composite (none for a leaf): the one place that knows
    /// which kinds of rule hold others.
    pub fn children(&self) -> &[Rule] {
        children!(self, std::slice::from_ref, &[])
    }

    fn children_mut(&mut self) -> &mut [Rule] {
        children!(self, std::slice::from_mut, &mut [])
    }

    /// The judgements the rule asks a clinician for: `None` for an unnamed `attested`,
    /// `Some(part)` for each named part.
    pub fn judgements(&self) -> Vec<Option<&str>> {
        let mut out = Vec::new();
        self.visit(&mut |r| match r {
            Rule::Attested(part) | Rule::KnownOrAttested { part, .. } => out.push(part.as_deref()),
            _ => {}
        });
        out
    }

    /// Calls `f` on this rule and every rule inside it.
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Rule)) {
        f(self);
        for r in self.children() {
            r.visit(f);
        }
    }

    /// Every span in the rule, for resolving `within=screening`.
    fn spans_mut(&mut self, f: &mut impl FnMut(&mut Span)) {
        fn treat(t: &mut TreatFilter, f: &mut impl FnMut(&mut Span)) {
            for s in [
                &mut t.within,
                &mut t.washout,
                &mut t.min_duration,
                &mut t.longer_than,
            ]
            .into_iter()
            .flatten()
            {
                f(s);
            }
        }
        fn num(n: &mut Num, f: &mut impl FnMut(&mut Span)) {
            match n {
                Num::Lab(_, _, Some(s)) | Num::Score(_, Some(s)) | Num::Titre(_, _, Some(s)) => {
                    f(s)
                }
                Num::CountTreated(t) => treat(t, f),
                _ => {}
            }
        }
        for r in self.children_mut() {
            r.spans_mut(f);
        }
        match self {
            Rule::Diagnosis(d) => {
                if let Some(s) = &mut d.for_at_least {
                    f(s);
                }
            }
            Rule::Treated(t) => treat(t, f),
            Rule::Together { a, b, span } => {
                treat(a, f);
                treat(b, f);
                f(span);
            }
            Rule::Has(c) => {
                if let Some(s) = &mut c.within {
                    f(s);
                }
            }
            Rule::LabResult {
                within: Some(s), ..
            }
            | Rule::TrialTreatment(Some(s))
            | Rule::Contraception(s) => f(s),
            Rule::Compare { num: n, .. } | Rule::Show(n) => num(n, f),
            _ => {}
        }
    }

    /// Puts the trial's screening window where the rule says `within=screening`; false when
    /// the rule uses it and the trial sets none.
    pub fn resolve_screening(&mut self, window: Option<Span>) -> bool {
        let mut ok = true;
        self.spans_mut(&mut |s| {
            if s.screening {
                match window {
                    Some(w) => {
                        *s = Span {
                            screening: true,
                            ..w
                        }
                    }
                    None => ok = false,
                }
            }
        });
        ok
    }

    /// Whether the rule uses the screening window.
    pub fn uses_screening(&mut self) -> bool {
        let mut used = false;
        self.spans_mut(&mut |s| used |= s.screening);
        used
    }
}
