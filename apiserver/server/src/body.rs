//! Request bodies: read with kube's 3 MiB limit, decoded from JSON or YAML, with duplicate
//! fields found (kube reports them as `duplicate field "spec.x"` for fieldValidation).

use std::collections::HashSet;
use std::fmt;

use argo_apiserver_core::negotiation::request_body_format;
use argo_apiserver_core::{ApiError, Format};
use bytes::Bytes;
use http_body_util::BodyExt;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// kube-apiserver's MaxRequestBodyBytes.
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// Past the limit, a body is still drained up to this much before answering, so the client
/// (an HTTP/2 client in particular) is done sending and reads the 413 instead of a reset stream.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// Reads the whole body, refusing more than [`MAX_BODY_BYTES`] with 413.
pub async fn read_limited<B>(body: B) -> Result<Bytes, ApiError>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let mut body = std::pin::pin!(body);
    let mut buf = bytes::BytesMut::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| ApiError::bad_request(format!("error reading the request body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            total += data.len();
            if total <= MAX_BODY_BYTES {
                buf.extend_from_slice(&data);
            } else if total > DRAIN_LIMIT {
                break;
            }
        }
    }
    if total > MAX_BODY_BYTES {
        return Err(ApiError::request_entity_too_large(MAX_BODY_BYTES));
    }
    Ok(buf.freeze())
}

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
            let yaml: serde_yaml::Value = serde_yaml::from_slice(body).map_err(|e| cannot(&e))?;
            let value = serde_json::to_value(yaml).map_err(|e| cannot(&e))?;
            // serde_yaml refuses duplicate keys itself.
            Ok(Decoded {
                value,
                duplicates: Vec::new(),
            })
        }
    }
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
}
