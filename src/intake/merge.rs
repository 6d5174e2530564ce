//! The profile the engine reads when facts were entered in the app: the patient file's table
//! with each entry's fragment laid over it, in the order entered. An entry is a fragment in the
//! patient-file format (`cardiac = { lvef = 58 }`, `lab = [{ name = "alt", ... }]`), so the
//! merged table is itself a patient file: it is checked by the same code as any file, and
//! `patient export` prints it.

use crate::intake::mark::ENTERED;
use crate::patient::prepare::names::spelling;
use crate::vocab::catalogue_drug;
use toml::{Table, Value};

/// Why a fragment cannot be laid over a table: the dotted key and the clash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub key: String,
    pub message: String,
}

/// The lists whose items an entry may complete instead of adding to, each with the field that
/// names the item: `treatment = [{ amends = "rituximab", outcome = "no_response" }]` fills in
/// the outcome of the one listed rituximab treatment that has none. The missing-data screen
/// asks "outcome of rituximab" or "dates of rituximab" about an item the file lists already;
/// a second rituximab item would leave the first one's gap (and its unknown) where it was.
pub const AMENDABLE: &[(&str, &str)] = &[("treatment", "drug")];

/// The field of a list item that makes it complete a listed item (see [`AMENDABLE`]).
pub const AMENDS: &str = "amends";

/// Lays `fragment` over `base`: a list (of labs, treatments, …) gains the fragment's items
/// after its own, except an item that completes a listed one ([`AMENDABLE`]); a table
/// (`cardiac`, `status`, …) is merged key by key; any other value replaces the one before it
/// (a corrected date of birth). A value of another shape than the one it meets (a list over a
/// table), or a completion that finds no single item to complete, is a clash, and `base` is
/// left as it was.
pub fn overlay(base: &mut Table, fragment: &Table) -> Result<(), Clash> {
    // Laid over a copy, so that a clash half-way changes nothing.
    let mut next = base.clone();
    lay(&mut next, fragment, "")?;
    *base = next;
    Ok(())
}

fn lay(base: &mut Table, fragment: &Table, path: &str) -> Result<(), Clash> {
    for (key, new) in fragment {
        let dotted = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match (base.get_mut(key), new) {
            (Some(Value::Array(old)), Value::Array(items)) => {
                for item in items {
                    match (amendable(key), item) {
                        (Some(field), Value::Table(t)) if t.contains_key(AMENDS) => {
                            amend(old, field, t, &dotted)?
                        }
                        _ => old.push(item.clone()),
                    }
                }
            }
            (None, Value::Array(items)) if amendable(key).is_some() => {
                if items
                    .iter()
                    .any(|i| i.as_table().is_some_and(|t| t.contains_key(AMENDS)))
                {
                    return Err(Clash {
                        message: format!(
                            "{dotted}: the entry completes an item but none is listed"
                        ),
                        key: dotted,
                    });
                }
                base.insert(key.clone(), new.clone());
            }
            (Some(Value::Table(old)), Value::Table(new)) => lay(old, new, &dotted)?,
            (Some(old @ (Value::Array(_) | Value::Table(_))), _)
            | (Some(old), Value::Array(_) | Value::Table(_)) => {
                return Err(Clash {
                    message: format!(
                        "{dotted}: the entry gives {} where the file has {}",
                        shape(new),
                        shape(old)
                    ),
                    key: dotted,
                });
            }
            (_, _) => {
                base.insert(key.clone(), new.clone());
            }
        }
    }
    Ok(())
}

/// The field that names an item of list `key`, when its items can be completed.
fn amendable(key: &str) -> Option<&'static str> {
    AMENDABLE.iter().find(|(k, _)| *k == key).map(|(_, f)| *f)
}

/// Completes the one item of `list` whose `field` is the one `item` amends and which lacks a
/// value `item` gives. Only what is missing is filled in: a value the item has already is
/// kept, and a different one is a clash (the file says otherwise; it is corrected there).
/// The item's provenance names the values filled in.
fn amend(list: &mut [Value], field: &str, item: &Table, dotted: &str) -> Result<(), Clash> {
    let clash = |message: String| Clash {
        key: format!("{dotted}.{AMENDS}"),
        message: format!("{dotted}: {message}"),
    };
    let Some(name) = item.get(AMENDS).and_then(Value::as_str) else {
        return Err(clash(format!(
            "`{AMENDS}` names the {field} of a listed item, as text"
        )));
    };
    let fills: Vec<(&String, &Value)> = item
        .iter()
        .filter(|(k, _)| k.as_str() != AMENDS && k.as_str() != ENTERED)
        .collect();
    if fills.is_empty() {
        return Err(clash(format!(
            "the entry completing {name} fills in nothing"
        )));
    }
    let named: Vec<usize> = list
        .iter()
        .enumerate()
        .filter(|(_, v)| {
            v.get(field)
                .and_then(Value::as_str)
                .is_some_and(|n| same_name(n, name))
        })
        .map(|(i, _)| i)
        .collect();
    let lacking: Vec<usize> = named
        .iter()
        .copied()
        .filter(|&i| fills.iter().any(|(k, _)| list[i].get(k.as_str()).is_none()))
        .collect();
    let keys = fills
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let at = match (named.len(), lacking.as_slice()) {
        (0, _) => return Err(clash(format!("no listed item is {name}"))),
        (_, [one]) => *one,
        (_, []) => {
            return Err(clash(format!(
                "the listed {name} has {keys} already; an entry fills in what is missing and \
                 does not change what the file says"
            )));
        }
        (_, many) => {
            return Err(clash(format!(
                "{} listed {name} items lack {keys}: complete the one meant in the patient \
                 file",
                many.len()
            )));
        }
    };
    let Some(target) = list.get_mut(at).and_then(Value::as_table_mut) else {
        return Err(clash(format!("the listed {name} is not a table")));
    };
    let mut filled = Vec::new();
    for (k, v) in &fills {
        match target.get(k.as_str()) {
            Some(old) if old != *v => {
                return Err(clash(format!(
                    "the listed {name} has {k} = {old}; an entry fills in what is missing and \
                     does not change what the file says"
                )));
            }
            Some(_) => {}
            None => {
                target.insert((*k).clone(), (*v).clone());
                filled.push(k.as_str());
            }
        }
    }
    if let Some(Value::String(p)) = item.get(ENTERED) {
        let mark = format!("{} {p}", filled.join(", "));
        let mark = match target.get(ENTERED).and_then(Value::as_str) {
            Some(before) => format!("{before}; {mark}"),
            None => mark,
        };
        target.insert(ENTERED.into(), Value::String(mark));
    }
    Ok(())
}

/// Whether two names of a listed item are the same: the catalogue's name for both, or the
/// same words.
fn same_name(a: &str, b: &str) -> bool {
    match (catalogue_drug(a), catalogue_drug(b)) {
        (Some(x), Some(y)) => x == y,
        _ => spelling(a) == spelling(b),
    }
}

/// A value's shape in words, for a clash.
fn shape(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
        _ => "a single value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(s: &str) -> Table {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn lists_gain_items_tables_merge_and_values_are_replaced() {
        let mut base = table(
            "id = \"P1\"\ndob = 1980-01-01\n[cardiac]\nnyha = 1\n[[lab]]\nname = \"alt\"\nvalue = 20\nunit = \"U/L\"\n",
        );
        overlay(
            &mut base,
            &table("lab = [{ name = \"ast\", value = 30, unit = \"U/L\" }]"),
        )
        .unwrap();
        overlay(&mut base, &table("cardiac = { lvef = 58 }")).unwrap();
        overlay(&mut base, &table("dob = 1981-02-03")).unwrap();
        let labs = base["lab"].as_array().map(Vec::len);
        assert_eq!(labs, Some(2));
        assert_eq!(base["lab"][1]["name"].as_str(), Some("ast"));
        assert_eq!(base["cardiac"]["nyha"].as_integer(), Some(1));
        assert_eq!(base["cardiac"]["lvef"].as_integer(), Some(58));
        assert_eq!(base["dob"].to_string(), "1981-02-03");
    }

    #[test]
    fn a_fragment_of_another_shape_is_a_clash_and_changes_nothing() {
        let mut base = table("id = \"P1\"\n[cardiac]\nnyha = 1\n");
        let before = base.clone();
        // `name` alone would apply; the clash stops the whole fragment.
        for (fragment, key) in [
            ("name = \"X\"\ncardiac = 3\n", "cardiac"),
            (
                "name = \"X\"\ncardiac = { nyha = [1, 2] }\n",
                "cardiac.nyha",
            ),
            ("cardiac = { nyha = { a = 1 } }", "cardiac.nyha"),
            ("id = [\"P1\"]", "id"),
        ] {
            let e = overlay(&mut base, &table(fragment));
            assert_eq!(e.map_err(|c| c.key), Err(key.to_string()), "{fragment}");
            assert_eq!(base, before, "{fragment}");
        }
    }

    #[test]
    fn an_empty_base_becomes_the_fragment() {
        let mut base = Table::new();
        overlay(&mut base, &table("id = \"R1\"\nname = \"New\"\n")).unwrap();
        assert_eq!(base, table("id = \"R1\"\nname = \"New\"\n"));
    }

    const LISTED: &str = "id = \"P1\"\n[[treatment]]\ndrug = \"Rituximab\"\nstart = 2025-01-10\n\
                          [[treatment]]\ndrug = \"methotrexate\"\nstart = 2020-01-01\n\
                          outcome = \"no_response\"\n";

    #[test]
    fn an_entry_completes_the_one_listed_item_that_lacks_what_it_gives() {
        let mut base = table(LISTED);
        let fragment = table(
            "treatment = [{ amends = \"rituximab\", outcome = \"response\", end = 2025-02-01, \
             start = 2025-01-10, entered = \"entered by jdoe\" }]",
        );
        overlay(&mut base, &fragment).unwrap();
        let list = base["treatment"].as_array().cloned().unwrap_or_default();
        assert_eq!(list.len(), 2, "completed, not added");
        let r = &list[0];
        assert_eq!(r["drug"].as_str(), Some("Rituximab"));
        assert_eq!(r["outcome"].as_str(), Some("response"));
        assert_eq!(r["end"].to_string(), "2025-02-01");
        assert!(r.get(AMENDS).is_none());
        // The mark names what was filled in, not the item the file gave.
        assert_eq!(r["entered"].as_str(), Some("end, outcome entered by jdoe"));
        assert_eq!(list[1]["outcome"].as_str(), Some("no_response"));
    }

    #[test]
    fn a_completion_never_changes_what_the_file_says_nor_guesses_the_item() {
        let cases = [
            // A value the listed item has is not changed.
            (
                LISTED,
                "treatment = [{ amends = \"rituximab\", start = 2024-01-01, outcome = \"response\" }]",
                "has start = 2025-01-10",
            ),
            (
                LISTED,
                "treatment = [{ amends = \"methotrexate\", outcome = \"response\" }]",
                "has outcome already",
            ),
            // No item, or several that could be meant.
            (
                LISTED,
                "treatment = [{ amends = \"belimumab\", outcome = \"response\" }]",
                "no listed item is belimumab",
            ),
            (
                "id = \"P1\"\ntreatment = [{ drug = \"rituximab\" }, { drug = \"rituximab\" }]",
                "treatment = [{ amends = \"rituximab\", outcome = \"response\" }]",
                "2 listed rituximab items lack outcome",
            ),
            (
                "id = \"P1\"",
                "treatment = [{ amends = \"rituximab\", outcome = \"response\" }]",
                "none is listed",
            ),
            (
                LISTED,
                "treatment = [{ amends = \"rituximab\" }]",
                "fills in nothing",
            ),
            (
                LISTED,
                "treatment = [{ amends = 3, outcome = \"response\" }]",
                "as text",
            ),
        ];
        for (file, fragment, says) in cases {
            let mut base = table(file);
            let before = base.clone();
            let e = overlay(&mut base, &table(fragment));
            assert!(
                e.as_ref().is_err_and(|c| c.message.contains(says)),
                "{fragment}: {e:?}"
            );
            assert_eq!(base, before, "{fragment}");
        }
        // Another spelling of the same catalogue drug names the same item.
        let mut base = table("id = \"P1\"\ntreatment = [{ drug = \"ciclosporin\" }]");
        let f = table("treatment = [{ amends = \"cyclosporine\", ongoing = true }]");
        assert!(overlay(&mut base, &f).is_ok());
        assert_eq!(base["treatment"][0]["ongoing"].as_bool(), Some(true));
    }
}
