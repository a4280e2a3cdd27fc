//! Mutations of a JSON or TOML input as a tree: one value replaced by an odd one (a huge
//! or negative number, a long string, null, an empty or deep array or object, another
//! value of the same document), removed, or repeated, and the document written out
//! again. A byte mutation of a JSON document is mostly a syntax error; these reach the
//! code behind the syntax.

use crate::rng::{NUMBERS, Rng};
use serde_json::Value as Json;

/// `input` mutated as a JSON or TOML tree, when it is one.
pub fn mutate(rng: &mut Rng, input: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(input).ok()?;
    let first = text.trim_start().as_bytes().first()?;
    if matches!(first, b'{' | b'[')
        && let Ok(mut doc) = serde_json::from_str::<Json>(text)
    {
        json(rng, &mut doc);
        return if rng.chance(1, 2) {
            serde_json::to_vec(&doc).ok()
        } else {
            serde_json::to_vec_pretty(&doc).ok()
        };
    }
    let mut doc: toml::Table = toml::from_str(text).ok()?;
    let mut wrapped = toml::Value::Table(std::mem::take(&mut doc));
    toml_value(rng, &mut wrapped);
    match wrapped {
        toml::Value::Table(t) => toml::to_string(&t).ok().map(String::into_bytes),
        _ => None,
    }
}

/// The number of values in a JSON tree.
fn count(v: &Json) -> usize {
    1 + match v {
        Json::Array(a) => a.iter().map(count).sum(),
        Json::Object(o) => o.values().map(count).sum(),
        _ => 0,
    }
}

/// Applies `f` to the `n`-th value of a JSON tree.
fn with_nth(v: &mut Json, n: &mut usize, f: &mut dyn FnMut(&mut Json)) -> bool {
    if *n == 0 {
        f(v);
        return true;
    }
    *n -= 1;
    match v {
        Json::Array(a) => a.iter_mut().any(|c| with_nth(c, n, f)),
        Json::Object(o) => o.values_mut().any(|c| with_nth(c, n, f)),
        _ => false,
    }
}

/// An odd JSON value.
fn odd_json(rng: &mut Rng, donor: &Json) -> Json {
    match rng.below(14) {
        0 => Json::Null,
        1 => Json::Bool(rng.chance(1, 2)),
        2 => serde_json::json!(-1),
        3 => serde_json::json!(u64::MAX),
        4 => serde_json::json!(i64::MIN),
        5 => serde_json::json!(1e308),
        6 => serde_json::json!(0.5),
        7 => Json::String(String::new()),
        8 => Json::String("x".repeat(1 + rng.below(10_000))),
        9 => Json::String(NUMBERS[rng.below(NUMBERS.len())].into()),
        10 => Json::Array(Vec::new()),
        11 => Json::Object(Default::default()),
        12 => {
            let mut v = Json::Null;
            for _ in 0..rng.below(200) {
                v = Json::Array(vec![v]);
            }
            v
        }
        _ => donor.clone(),
    }
}

fn json(rng: &mut Rng, doc: &mut Json) {
    let total = count(doc);
    // a donor: any value of the document
    let mut k = rng.below(total);
    let mut donor = Json::Null;
    with_nth(doc, &mut k, &mut |v| donor = v.clone());
    let choice = rng.below(4);
    let odd = odd_json(rng, &donor);
    let repeat = 1 + rng.below_or(1, 4, 5000, 4);
    let drop_at = rng.next_u64() as usize;
    let mut target = rng.below(total);
    with_nth(doc, &mut target, &mut |v| match (choice, &mut *v) {
        // an element or member removed
        (0, Json::Array(a)) if !a.is_empty() => {
            a.remove(drop_at % a.len());
        }
        (0, Json::Object(o)) if !o.is_empty() => {
            let key = o.keys().nth(drop_at % o.len()).cloned();
            if let Some(key) = key {
                o.remove(&key);
            }
        }
        // an element repeated
        (1, Json::Array(a)) if !a.is_empty() => {
            let e = a[drop_at % a.len()].clone();
            a.extend(std::iter::repeat_n(e, repeat));
        }
        // a member renamed
        (1, Json::Object(o)) if !o.is_empty() => {
            let key = o.keys().nth(drop_at % o.len()).cloned();
            if let Some(key) = key
                && let Some(val) = o.remove(&key)
            {
                o.insert(format!("{key}{}", drop_at % 3), val);
            }
        }
        // replaced
        _ => *v = odd.clone(),
    });
}

fn toml_count(v: &toml::Value) -> usize {
    1 + match v {
        toml::Value::Array(a) => a.iter().map(toml_count).sum(),
        toml::Value::Table(t) => t.values().map(toml_count).sum(),
        _ => 0,
    }
}

fn toml_nth(v: &mut toml::Value, n: &mut usize, f: &mut dyn FnMut(&mut toml::Value)) -> bool {
    if *n == 0 {
        f(v);
        return true;
    }
    *n -= 1;
    match v {
        toml::Value::Array(a) => a.iter_mut().any(|c| toml_nth(c, n, f)),
        toml::Value::Table(t) => t.iter_mut().any(|(_, c)| toml_nth(c, n, f)),
        _ => false,
    }
}

fn toml_value(rng: &mut Rng, doc: &mut toml::Value) {
    use toml::Value as T;
    let total = toml_count(doc);
    let mut k = rng.below(total);
    let mut donor = T::Boolean(true);
    toml_nth(doc, &mut k, &mut |v| donor = v.clone());
    let odd = match rng.below(12) {
        0 => T::Integer(-1),
        1 => T::Integer(i64::MAX),
        2 => T::Integer(i64::MIN),
        3 => T::Float(f64::NAN),
        4 => T::Float(f64::INFINITY),
        5 => T::Float(-0.0),
        6 => T::String(String::new()),
        7 => T::String("x".repeat(1 + rng.below(10_000))),
        8 => T::Array(Vec::new()),
        9 => T::Table(Default::default()),
        10 => T::Boolean(false),
        _ => donor,
    };
    let choice = rng.below(4);
    let repeat = 1 + rng.below_or(1, 4, 2000, 4);
    let at = rng.next_u64() as usize;
    let mut target = rng.below(total);
    toml_nth(doc, &mut target, &mut |v| match (choice, &mut *v) {
        (0, T::Array(a)) if !a.is_empty() => {
            a.remove(at % a.len());
        }
        (0, T::Table(t)) if !t.is_empty() => {
            let key = t.keys().nth(at % t.len()).cloned();
            if let Some(key) = key {
                t.remove(&key);
            }
        }
        (1, T::Array(a)) if !a.is_empty() => {
            let e = a[at % a.len()].clone();
            a.extend(std::iter::repeat_n(e, repeat));
        }
        (1, T::Table(t)) if !t.is_empty() => {
            let key = t.keys().nth(at % t.len()).cloned();
            if let Some(key) = key
                && let Some(val) = t.remove(&key)
            {
                t.insert(format!("{key}{}", at % 3), val);
            }
        }
        _ => *v = odd.clone(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_toml_stay_documents() {
        let mut rng = Rng::new(5);
        let json_doc = br#"{"id": ["geo", "time"], "size": [2, 3], "value": {"0": 1.5, "4": 2}}"#;
        let toml_doc = b"schema = 1\n[target]\ngeo = 'NL'\nvalue = 20\n[[markets]]\nid = 'a'\n";
        let (mut j, mut t) = (0, 0);
        for _ in 0..300 {
            if let Some(out) = mutate(&mut rng, json_doc) {
                // (deep nesting on purpose is beyond serde_json's recursion limit)
                if let Err(e) = serde_json::from_slice::<Json>(&out) {
                    assert!(e.to_string().contains("recursion limit"), "{e}");
                }
                j += 1;
            }
            if let Some(out) = mutate(&mut rng, toml_doc) {
                toml::from_str::<toml::Table>(std::str::from_utf8(&out).unwrap()).unwrap();
                t += 1;
            }
        }
        assert!(j == 300 && t > 250, "{j} {t}");
        assert!(mutate(&mut rng, b"a,b\n1,2\n").is_none());
    }
}
