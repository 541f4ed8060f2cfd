//! How deeply a JSON value nests. serde_json stops decoding at 128 levels, which also bounds
//! how deep a stored object may be to be read back, and clients such as kube-rs decode lists and
//! watch events, which wrap each object two levels deeper, with the same 128. So bodies, and
//! the objects that patches produce, are held well below that.

use serde_json::Value;

/// The deepest nesting of arrays and objects a body or a stored object may have.
pub const MAX_NESTING_DEPTH: usize = 100;

/// How deeply arrays and objects nest in `value` (a scalar is 0), without recursion.
pub fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((v, d)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match v {
            Value::Array(a) => Box::new(a.iter()),
            Value::Object(o) => Box::new(o.values()),
            _ => continue,
        };
        deepest = deepest.max(d + 1);
        stack.extend(children.map(|c| (c, d + 1)));
    }
    deepest
}

/// The reason a too-deep value is refused, as kube's decoders word it.
pub fn too_deep() -> String {
    format!("exceeded max depth of {MAX_NESTING_DEPTH}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_containers() {
        assert_eq!(depth(&serde_json::json!(1)), 0);
        assert_eq!(depth(&serde_json::json!({"a": [1, {"b": {}}]})), 4);
        let mut deep = serde_json::json!(0);
        for _ in 0..10_000 {
            deep = Value::Array(vec![deep]);
        }
        assert_eq!(depth(&deep), 10_000);
        // Dropping a deep value recurses in serde_json; leak it in the test instead.
        std::mem::forget(deep);
    }
}
