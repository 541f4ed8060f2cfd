//! Request bodies as bytes: decoded from JSON or YAML with a nesting depth limit, with
//! duplicate fields found (kube reports them as `duplicate field "spec.x"` for
//! fieldValidation). Reading them off the connection (and the size limit) is the server's.

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::depth::{MAX_NESTING_DEPTH, depth, too_deep};
use crate::negotiation::request_body_format;
use crate::{ApiError, Format};

/// A decoded body and the paths of keys that appeared twice in one object.
pub struct Decoded {
    pub value: Value,
    pub duplicates: Vec<String>,
}

/// Decodes a JSON or YAML body (by Content-Type), as the given kind for error messages.
pub fn decode(content_type: Option<&str>, body: &[u8], kind: &str) -> Result<Decoded, ApiError> {
    let format = request_body_format(content_type)?;
    let cannot = |e: &dyn fmt::Display| {
        ApiError::bad_request(format!(
            "{kind} in version \"v1alpha1\" cannot be handled as a {kind}: {e}"
        ))
    };
    match format {
        Format::Json => {
            // Checked before decoding, so any depth gets the same answer.
            if json_depth_exceeds(body, MAX_NESTING_DEPTH) {
                return Err(cannot(&too_deep()));
            }
            let mut de = serde_json::Deserializer::from_slice(body);
            let mut duplicates = Vec::new();
            let value = Walk {
                path: String::new(),
                duplicates: &mut duplicates,
            }
            .deserialize(&mut de)
            .map_err(|e| cannot(&e))?;
            de.end().map_err(|e| cannot(&e))?;
            Ok(Decoded { value, duplicates })
        }
        Format::Yaml => {
            // serde_yaml stops at its own recursion limit (without recursing further); the
            // decoded value is then held to the same limit as JSON.
            let yaml: serde_yaml::Value = serde_yaml::from_slice(body).map_err(|e| {
                if e.to_string().starts_with("recursion limit exceeded") {
                    cannot(&too_deep())
                } else {
                    cannot(&e)
                }
            })?;
            let value = serde_json::to_value(yaml).map_err(|e| cannot(&e))?;
            if depth(&value) > MAX_NESTING_DEPTH {
                return Err(cannot(&too_deep()));
            }
            // serde_yaml refuses duplicate keys itself.
            Ok(Decoded {
                value,
                duplicates: Vec::new(),
            })
        }
    }
}

/// Whether JSON text nests arrays and objects deeper than `limit` (a scan, no recursion; the
/// text need not be valid: the decoder judges the rest).
pub fn json_depth_exceeds(text: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &c in text {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Decodes into a `serde_json::Value` while recording duplicate keys with their field path.
struct Walk<'a> {
    path: String,
    duplicates: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        let mut i = 0usize;
        loop {
            let seed = Walk {
                path: format!("{}[{i}]", self.path),
                duplicates: &mut *self.duplicates,
            };
            match seq.next_element_seed(seed)? {
                Some(v) => out.push(v),
                None => break,
            }
            i += 1;
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            if !seen.insert(key.clone()) {
                self.duplicates.push(path.clone());
            }
            let v = map.next_value_seed(Walk {
                path,
                duplicates: &mut *self.duplicates,
            })?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_found_with_their_paths() {
        let d = decode(
            Some("application/json"),
            br#"{"spec":{"a":1,"a":2,"l":[{"x":1,"x":1}]},"spec2":{}}"#,
            "Application",
        )
        .unwrap();
        assert_eq!(d.duplicates, vec!["spec.a", "spec.l[0].x"]);
        assert_eq!(d.value["spec"]["a"], 2, "the last one wins, as in kube");
    }

    #[test]
    fn malformed_bodies_are_bad_requests() {
        let e = decode(Some("application/json"), b"{\"a\":", "Application")
            .err()
            .unwrap();
        assert_eq!(e.code(), 400);
        assert!(e.status.message.starts_with(
            "Application in version \"v1alpha1\" cannot be handled as a Application:"
        ));
        let e = decode(Some("application/yaml"), b"a: [", "Application")
            .err()
            .unwrap();
        assert_eq!(e.code(), 400);
        let ok = decode(Some("application/yaml"), b"a: 1\nb: [x]\n", "Application").unwrap();
        assert_eq!(ok.value["b"][0], "x");
    }

    fn nested(n: usize) -> String {
        format!("{}{}", "[".repeat(n), "]".repeat(n))
    }

    #[test]
    fn nesting_is_limited_in_json_and_yaml() {
        let deep_message = "Application in version \"v1alpha1\" cannot be handled as a Application: exceeded max depth of 100";
        let ok = decode(
            Some("application/json"),
            nested(100).as_bytes(),
            "Application",
        )
        .unwrap();
        assert_eq!(depth(&ok.value), 100);
        for n in [101, 127, 128, 100_000] {
            for ct in ["application/json", "application/yaml"] {
                let e = decode(Some(ct), nested(n).as_bytes(), "Application")
                    .err()
                    .unwrap_or_else(|| panic!("{ct} at depth {n} was accepted"));
                assert_eq!(e.code(), 400);
                assert_eq!(e.status.message, deep_message, "{ct} at depth {n}");
            }
        }
        // YAML block sequences nest two bytes a level.
        let block = format!("{}x\n", "- ".repeat(100_000));
        let e = decode(Some("application/yaml"), block.as_bytes(), "Application")
            .err()
            .unwrap();
        assert_eq!(e.status.message, deep_message);
        let block = format!("{}x\n", "- ".repeat(100));
        decode(Some("application/yaml"), block.as_bytes(), "Application").unwrap();
        // Brackets inside strings are text.
        let s = format!("{{\"a\":\"{}\\\"{}\"}}", "[".repeat(500), "{".repeat(500));
        let d = decode(Some("application/json"), s.as_bytes(), "Application").unwrap();
        assert_eq!(depth(&d.value), 1);
    }
}
