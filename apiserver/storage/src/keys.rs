//! The key layout: `/<group>/<plural>/[<namespace>/]<name>`, the layout kube-apiserver uses for
//! custom resources under its `/registry` prefix. Backends put their own prefix in front (the etcd
//! backend's `--etcd-prefix`, `/registry` by default), so data migrated from CRDs reads the same.

use crate::{Result, StoreError};

pub const GROUP: &str = "argoproj.io";

/// The key of one object. `namespace` is None for cluster-scoped kinds.
pub fn object_key(plural: &str, namespace: Option<&str>, name: &str) -> Result<String> {
    check_segment(plural, "resource")?;
    if let Some(ns) = namespace {
        check_segment(ns, "namespace")?;
    }
    check_segment(name, "name")?;
    Ok(match namespace {
        Some(ns) => format!("/{GROUP}/{plural}/{ns}/{name}"),
        None => format!("/{GROUP}/{plural}/{name}"),
    })
}

/// The prefix covering a kind in one namespace, or in all namespaces (and cluster-scoped kinds)
/// when `namespace` is None. Always ends with '/', so namespace `a` never matches `ab`.
pub fn list_prefix(plural: &str, namespace: Option<&str>) -> Result<String> {
    check_segment(plural, "resource")?;
    Ok(match namespace {
        Some(ns) => {
            check_segment(ns, "namespace")?;
            format!("/{GROUP}/{plural}/{ns}/")
        }
        None => format!("/{GROUP}/{plural}/"),
    })
}

/// Splits a key under `list_prefix(plural, None)` back into (namespace, name).
pub fn split_key<'a>(plural: &str, key: &'a str) -> Option<(Option<&'a str>, &'a str)> {
    let rest = key
        .strip_prefix('/')?
        .strip_prefix(GROUP)?
        .strip_prefix('/')?
        .strip_prefix(plural)?
        .strip_prefix('/')?;
    match rest.split_once('/') {
        Some((ns, name)) if !name.contains('/') => Some((Some(ns), name)),
        Some(_) => None,
        None => Some((None, rest)),
    }
}

fn check_segment(s: &str, what: &'static str) -> Result<()> {
    // Names are validated as DNS subdomains above this layer; here only what would break the
    // layout itself is refused, so a bug above can never address another object's key.
    let reason = if s.is_empty() {
        Some("empty segment")
    } else if s.contains('/') {
        Some("segment contains '/'")
    } else if s == "." || s == ".." {
        Some("segment is '.' or '..'")
    } else if s.contains('\0') {
        Some("segment contains NUL")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(StoreError::InvalidKey {
            key: format!("{what}={s:?}"),
            reason,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        assert_eq!(
            object_key("applications", Some("argocd"), "guestbook").unwrap(),
            "/argoproj.io/applications/argocd/guestbook"
        );
        assert_eq!(
            object_key("clusterworkflowtemplates", None, "t").unwrap(),
            "/argoproj.io/clusterworkflowtemplates/t"
        );
        assert_eq!(
            list_prefix("rollouts", Some("a")).unwrap(),
            "/argoproj.io/rollouts/a/"
        );
        assert_eq!(
            split_key("rollouts", "/argoproj.io/rollouts/a/b"),
            Some((Some("a"), "b"))
        );
        assert_eq!(
            split_key(
                "clusteranalysistemplates",
                "/argoproj.io/clusteranalysistemplates/x"
            ),
            Some((None, "x"))
        );
    }

    #[test]
    fn refuses_segments_that_escape() {
        for bad in ["", "a/b", "..", ".", "a\0"] {
            assert!(object_key("rollouts", Some("ns"), bad).is_err(), "{bad:?}");
            assert!(object_key("rollouts", Some(bad), "n").is_err(), "{bad:?}");
        }
    }
}
