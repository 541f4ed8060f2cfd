//! AppProject rules as Argo CD applies them (`pkg/apis/application/v1alpha1/app_project_types.go`,
//! `types.go`, `util/argo/argo.go`, `server/project/project.go`): which sources, destinations,
//! resources and Application namespaces a project permits, project validation, and the checks
//! the API server makes before updating or deleting a project.
//!
//! Everything here is pure: callers pass the objects they read from storage.

use std::collections::HashSet;

use argo_openapi::types::cd::{
    AppProject, AppProjectGroupKind, AppProjectSpec, Application, ApplicationDestination,
    ApplicationSource, ClusterResourceRestrictionItem,
};
use argo_openapi::validation::{FieldError, FieldErrorType};
use serde_json::Value;

use crate::glob::{Glob, filepath_match, glob_compiles, match_string_in_list};
use crate::rbac::{validate_group_name, validate_policy, validate_role_name};

/// The project Argo CD creates on start-up and refuses to delete.
pub const DEFAULT_PROJECT: &str = "default";

/// The name of the cluster the control plane runs in.
pub const IN_CLUSTER_NAME: &str = "in-cluster";
/// The API server URL of the cluster the control plane runs in.
pub const IN_CLUSTER_SERVER: &str = "https://kubernetes.default.svc";

/// Upstream's `ErrDestinationMissing` (its capital letter is kept, as upstream keeps it).
pub const ERR_DESTINATION_MISSING: &str = "Destination server missing from app spec";

/// The spec of the `default` project as upstream's `initializeDefaultProject` creates it.
pub fn default_project_spec() -> AppProjectSpec {
    AppProjectSpec {
        source_repos: Some(vec!["*".to_string()]),
        destinations: Some(vec![ApplicationDestination {
            server: Some("*".to_string()),
            namespace: Some("*".to_string()),
            name: None,
        }]),
        cluster_resource_whitelist: Some(vec![ClusterResourceRestrictionItem {
            group: "*".to_string(),
            kind: "*".to_string(),
            name: None,
        }]),
        ..Default::default()
    }
}

/// A destination cluster as far as project matching needs it: its server URL and its name
/// (either may be empty when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub server: String,
    pub name: String,
}

/// Resolves an Application destination to a [`Cluster`], as upstream's `GetDestinationCluster`.
///
/// Limitation: upstream looks clusters up in its cluster Secrets; this server sees none, so the
/// only cluster it knows is the in-cluster one (`in-cluster` ⇔ `https://kubernetes.default.svc`,
/// each filling in the other). Any other name resolves to a cluster with that name and no
/// server, any other server to a cluster with that server and no name. So a name that upstream
/// would reject ("there are no clusters with this name") is accepted here. A cluster known only
/// by name matches a project destination whose server pattern is `*` or `**` (whatever its URL,
/// it matches those) and destinations written with its name; other server patterns cannot be
/// judged and do not match (nor does a name pattern match an app that gives only a server).
pub fn resolve_destination(dest: &ApplicationDestination) -> Result<Cluster, String> {
    let name = dest.name.as_deref().unwrap_or("");
    let server = dest.server.as_deref().unwrap_or("");
    if !name.is_empty() && !server.is_empty() {
        return Err(format!(
            "application destination can't have both name and server defined: {name} {server}"
        ));
    }
    if !server.is_empty() {
        let server = server.trim_end_matches('/');
        let name = if server == IN_CLUSTER_SERVER {
            IN_CLUSTER_NAME
        } else {
            ""
        };
        return Ok(Cluster {
            server: server.to_string(),
            name: name.to_string(),
        });
    }
    if !name.is_empty() {
        let server = if name == IN_CLUSTER_NAME {
            IN_CLUSTER_SERVER
        } else {
            ""
        };
        return Ok(Cluster {
            server: server.to_string(),
            name: name.to_string(),
        });
    }
    Err(ERR_DESTINATION_MISSING.to_string())
}

/// Upstream's `git.NormalizeGitURL`: lower-cased and trimmed; scp-style `user@host:path` turned
/// into `user@host/path`; a trailing `.git` removed; then round-tripped through Go's
/// `net/url.Parse` + `String` (so e.g. `{` in a path comes back as `%7B`). Returns `""` when Go
/// would fail to parse the URL.
pub fn normalize_git_url(url: &str) -> String {
    let mut repo = url.trim().to_lowercase();
    if is_ssh_url(&repo) && !repo.starts_with("ssh://") {
        repo = format!("ssh://{}", repo.replacen(':', "/", 1));
    }
    let repo = repo.strip_suffix(".git").unwrap_or(&repo);
    match go_url::round_trip(repo) {
        Some(normalized) => normalized
            .strip_prefix("ssh://")
            .map(str::to_string)
            .unwrap_or(normalized),
        None => String::new(),
    }
}

/// Upstream's `IsSSHURL`: `^(ssh://)?([^/:]*?)@[^@]+$`.
fn is_ssh_url(url: &str) -> bool {
    // Without the optional `ssh://` group the prefix would be part of the user, which may not
    // contain `/`, so stripping it first is equivalent. The user part may contain `@`: the
    // host part is what follows the last one.
    let rest = url.strip_prefix("ssh://").unwrap_or(url);
    let Some(at) = rest.rfind('@') else {
        return false;
    };
    !rest[..at].contains(['/', ':']) && at + 1 < rest.len()
}

/// A port of the parts of Go's `net/url` that `Parse(s).String()` exercises.
mod go_url {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Path,
        Host,
        UserPassword,
        Fragment,
    }

    fn should_escape(c: u8, mode: Mode) -> bool {
        if c.is_ascii_alphanumeric() {
            return false;
        }
        if mode == Mode::Host
            && matches!(
                c,
                b'!' | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'['
                    | b']'
                    | b'<'
                    | b'>'
                    | b'"'
            )
        {
            return false;
        }
        match c {
            b'-' | b'_' | b'.' | b'~' => return false,
            b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
                Mode::Path => return c == b'?',
                Mode::UserPassword => {
                    return c == b'@' || c == b'/' || c == b'?' || c == b':';
                }
                Mode::Fragment => return false,
                Mode::Host => {}
            },
            _ => {}
        }
        if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
            return false;
        }
        true
    }

    fn unescape(s: &[u8], mode: Mode) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(s.len());
        let mut i = 0;
        while i < s.len() {
            match s[i] {
                b'%' => {
                    if i + 2 >= s.len()
                        || !s[i + 1].is_ascii_hexdigit()
                        || !s[i + 2].is_ascii_hexdigit()
                    {
                        return None;
                    }
                    let hi = (s[i + 1] as char).to_digit(16)? as u8;
                    let lo = (s[i + 2] as char).to_digit(16)? as u8;
                    if mode == Mode::Host && hi < 8 && &s[i..i + 3] != b"%25" {
                        return None;
                    }
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                c => {
                    if mode == Mode::Host && c < 0x80 && should_escape(c, mode) {
                        return None;
                    }
                    out.push(c);
                    i += 1;
                }
            }
        }
        Some(out)
    }

    fn escape(s: &[u8], mode: Mode) -> Vec<u8> {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut out = Vec::with_capacity(s.len());
        for &c in s {
            if should_escape(c, mode) {
                out.extend_from_slice(&[b'%', HEX[(c >> 4) as usize], HEX[(c & 15) as usize]]);
            } else {
                out.push(c);
            }
        }
        out
    }

    fn valid_encoded(s: &[u8], mode: Mode) -> bool {
        s.iter().all(|&c| {
            matches!(
                c,
                b'!' | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
                    | b'['
                    | b']'
                    | b'%'
            ) || !should_escape(c, mode)
        })
    }

    /// Go's `EscapedPath`/`EscapedFragment`: the raw form when it is valid and decodes to the
    /// value, else the value escaped.
    fn escaped(value: &[u8], raw: &[u8], mode: Mode) -> Vec<u8> {
        if !raw.is_empty()
            && valid_encoded(raw, mode)
            && unescape(raw, mode).as_deref() == Some(value)
        {
            return raw.to_vec();
        }
        escape(value, mode)
    }

    fn valid_optional_port(port: &[u8]) -> bool {
        port.is_empty() || (port[0] == b':' && port[1..].iter().all(u8::is_ascii_digit))
    }

    fn parse_host(host: &[u8]) -> Option<Vec<u8>> {
        if host.first() == Some(&b'[') {
            let i = host.iter().rposition(|&c| c == b']')?;
            if !valid_optional_port(&host[i + 1..]) {
                return None;
            }
        } else if let Some(i) = host.iter().rposition(|&c| c == b':')
            && !valid_optional_port(&host[i..])
        {
            return None;
        }
        unescape(host, Mode::Host)
    }

    struct User {
        name: Vec<u8>,
        password: Option<Vec<u8>>,
    }

    fn parse_authority(authority: &[u8]) -> Option<(Option<User>, Vec<u8>)> {
        let Some(i) = authority.iter().rposition(|&c| c == b'@') else {
            return Some((None, parse_host(authority)?));
        };
        let host = parse_host(&authority[i + 1..])?;
        let userinfo = &authority[..i];
        let valid = userinfo.iter().all(|&c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    b'-' | b'.'
                        | b'_'
                        | b':'
                        | b'~'
                        | b'!'
                        | b'$'
                        | b'&'
                        | b'\''
                        | b'('
                        | b')'
                        | b'*'
                        | b'+'
                        | b','
                        | b';'
                        | b'='
                        | b'%'
                        | b'@'
                )
        });
        if !valid {
            return None;
        }
        let user = match userinfo.iter().position(|&c| c == b':') {
            None => User {
                name: unescape(userinfo, Mode::UserPassword)?,
                password: None,
            },
            Some(colon) => User {
                name: unescape(&userinfo[..colon], Mode::UserPassword)?,
                password: Some(unescape(&userinfo[colon + 1..], Mode::UserPassword)?),
            },
        };
        Some((Some(user), host))
    }

    /// `url.Parse(s)` followed by `String()`, or `None` where `Parse` fails. IPv6 zones are
    /// decoded like the rest of the host.
    pub(super) fn round_trip(s: &str) -> Option<String> {
        let s = s.as_bytes();
        if s.iter().any(|&c| c < 0x20 || c == 0x7f) {
            return None;
        }
        let (u, frag) = match s.iter().position(|&c| c == b'#') {
            Some(i) => (&s[..i], &s[i + 1..]),
            None => (s, &b""[..]),
        };

        let mut scheme: &[u8] = b"";
        let mut opaque: &[u8] = b"";
        let mut user = None;
        let mut host = Vec::new();
        let mut omit_host = false;
        let mut path = Vec::new();
        let mut raw_path: &[u8] = b"";
        let mut force_query = false;
        let mut raw_query: &[u8] = b"";

        if u == b"*" {
            path = b"*".to_vec();
        } else {
            let mut rest = u;
            for (i, &c) in u.iter().enumerate() {
                if c.is_ascii_alphabetic() {
                    continue;
                }
                if c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.') {
                    if i == 0 {
                        break;
                    }
                    continue;
                }
                if c == b':' {
                    if i == 0 {
                        return None; // missing protocol scheme
                    }
                    scheme = &u[..i];
                    rest = &u[i + 1..];
                }
                break;
            }
            let scheme_lower = scheme.to_ascii_lowercase();
            let questions = rest.iter().filter(|&&c| c == b'?').count();
            if rest.last() == Some(&b'?') && questions == 1 {
                force_query = true;
                rest = &rest[..rest.len() - 1];
            } else if let Some(q) = rest.iter().position(|&c| c == b'?') {
                raw_query = &rest[q + 1..];
                rest = &rest[..q];
            }
            let mut parsed_opaque = false;
            if rest.first() != Some(&b'/') {
                if !scheme.is_empty() {
                    opaque = rest;
                    parsed_opaque = true;
                } else {
                    let segment_end = rest.iter().position(|&c| c == b'/').unwrap_or(rest.len());
                    if rest[..segment_end].contains(&b':') {
                        return None; // first path segment in URL cannot contain colon
                    }
                }
            }
            if !parsed_opaque {
                if (!scheme.is_empty() || !rest.starts_with(b"///")) && rest.starts_with(b"//") {
                    let after = &rest[2..];
                    let (authority, tail) = match after.iter().position(|&c| c == b'/') {
                        Some(i) => (&after[..i], &after[i..]),
                        None => (after, &b""[..]),
                    };
                    let (u, h) = parse_authority(authority)?;
                    user = u;
                    host = h;
                    rest = tail;
                } else if !scheme.is_empty() && rest.first() == Some(&b'/') {
                    omit_host = true;
                }
                path = unescape(rest, Mode::Path)?;
                if escape(&path, Mode::Path) != rest {
                    raw_path = rest;
                }
            }
            return render(Rendered {
                scheme: &scheme_lower,
                opaque,
                user: user.as_ref(),
                host: &host,
                omit_host,
                path: &path,
                raw_path,
                force_query,
                raw_query,
                fragment: frag,
            });
        }
        render(Rendered {
            scheme: b"",
            opaque: b"",
            user: None,
            host: b"",
            omit_host: false,
            path: &path,
            raw_path: b"",
            force_query: false,
            raw_query: b"",
            fragment: frag,
        })
    }

    struct Rendered<'a> {
        scheme: &'a [u8],
        opaque: &'a [u8],
        user: Option<&'a User>,
        host: &'a [u8],
        omit_host: bool,
        path: &'a [u8],
        raw_path: &'a [u8],
        force_query: bool,
        raw_query: &'a [u8],
        fragment: &'a [u8],
    }

    /// Go's `URL.String()` (after `setFragment` for the fragment).
    fn render(u: Rendered<'_>) -> Option<String> {
        let fragment = if u.fragment.is_empty() {
            Vec::new()
        } else {
            unescape(u.fragment, Mode::Fragment)?
        };
        let raw_fragment: &[u8] = if escape(&fragment, Mode::Fragment) == u.fragment {
            b""
        } else {
            u.fragment
        };

        let mut buf: Vec<u8> = Vec::new();
        if !u.scheme.is_empty() {
            buf.extend_from_slice(u.scheme);
            buf.push(b':');
        }
        if !u.opaque.is_empty() {
            buf.extend_from_slice(u.opaque);
        } else {
            let no_authority = u.host.is_empty() && u.user.is_none();
            if !(no_authority && (u.scheme.is_empty() || u.omit_host)) {
                if !u.host.is_empty() || !u.path.is_empty() || u.user.is_some() {
                    buf.extend_from_slice(b"//");
                }
                if let Some(user) = u.user {
                    buf.extend(escape(&user.name, Mode::UserPassword));
                    if let Some(p) = &user.password {
                        buf.push(b':');
                        buf.extend(escape(p, Mode::UserPassword));
                    }
                    buf.push(b'@');
                }
                buf.extend(escape(u.host, Mode::Host));
            }
            let path = if u.path == b"*" && u.raw_path.is_empty() {
                b"*".to_vec()
            } else {
                escaped(u.path, u.raw_path, Mode::Path)
            };
            if !path.is_empty() && path[0] != b'/' && !u.host.is_empty() {
                buf.push(b'/');
            }
            if buf.is_empty() {
                let segment_end = path.iter().position(|&c| c == b'/').unwrap_or(path.len());
                if path[..segment_end].contains(&b':') {
                    buf.extend_from_slice(b"./");
                }
            }
            buf.extend(path);
        }
        if u.force_query || !u.raw_query.is_empty() {
            buf.push(b'?');
            buf.extend_from_slice(u.raw_query);
        }
        if !fragment.is_empty() {
            buf.push(b'#');
            buf.extend(escaped(&fragment, raw_fragment, Mode::Fragment));
        }
        Some(String::from_utf8_lossy(&buf).into_owned())
    }
}

fn is_deny_pattern(pattern: &str) -> bool {
    pattern.starts_with('!')
}

/// Upstream's `globMatch(pattern, val, allowNegation, seps...)`: with negation allowed a `!`
/// pattern matches whatever the rest does NOT match; the literal `*` matches everything.
fn glob_match_negatable(pattern: &str, value: &str, allow_negation: bool, seps: &[char]) -> bool {
    NegatableGlob::new(pattern, allow_negation, seps).is_match(value)
}

/// [`glob_match_negatable`] compiled once.
#[derive(Clone, Debug)]
struct NegatableGlob {
    /// A `!` pattern with negation allowed: matches what `glob` does not.
    negated: bool,
    /// The literal `*` (not negated): matches everything.
    any: bool,
    glob: Glob,
}

impl NegatableGlob {
    fn new(pattern: &str, allow_negation: bool, seps: &[char]) -> NegatableGlob {
        if allow_negation && is_deny_pattern(pattern) {
            return NegatableGlob {
                negated: true,
                any: false,
                glob: Glob::new(&pattern[1..], seps),
            };
        }
        NegatableGlob {
            negated: false,
            any: pattern == "*",
            glob: Glob::new(pattern, seps),
        }
    }

    fn is_match(&self, value: &str) -> bool {
        if self.negated {
            return !self.glob.is_match(value);
        }
        self.any || self.glob.is_match(value)
    }
}

/// Upstream's `IsSourcePermitted`. A matching deny entry rejects the repo wherever it appears;
/// a deny entry that does not match counts as a positive match, so `["!https://evil/*"]` alone
/// permits every other repo.
pub fn is_source_permitted(spec: &AppProjectSpec, repo_url: &str) -> bool {
    let src = normalize_git_url(repo_url);
    let mut any_matched = false;
    for entry in spec.source_repos.iter().flatten() {
        let normalized = match entry.strip_prefix('!') {
            Some(rest) => format!("!{}", normalize_git_url(rest)),
            None => normalize_git_url(entry),
        };
        if glob_match_negatable(&normalized, &src, true, &['/']) {
            any_matched = true;
        } else if is_deny_pattern(&normalized) {
            return false;
        }
    }
    any_matched
}

/// Upstream's `IsDestinationPermitted` (`isDestinationMatched`), with its negation quirks: a
/// deny entry that does not match counts as a match, and Go's precedence in
/// `!nameOK && deny(name) || !serverOK && deny(server) && nsOK` is kept.
///
/// With `permitOnlyProjectScopedClusters` a matched destination must also be a project-scoped
/// cluster; this server knows no project-scoped clusters, so such a project permits nothing.
///
/// `CompiledDestinations::new(spec).is_permitted(cluster, namespace)`; callers that decide
/// against the same project many times keep the [`CompiledDestinations`].
pub fn is_destination_permitted(spec: &AppProjectSpec, cluster: &Cluster, namespace: &str) -> bool {
    CompiledDestinations::new(spec).is_permitted(cluster, namespace)
}

/// A project's destinations with their server, name and namespace patterns compiled:
/// [`is_destination_permitted`] without parsing or looking up a pattern per decision.
#[derive(Clone, Debug)]
pub struct CompiledDestinations {
    items: Vec<CompiledDestination>,
    permit_only_project_scoped_clusters: bool,
}

#[derive(Clone, Debug)]
struct CompiledDestination {
    name: NegatableGlob,
    server: NegatableGlob,
    /// `*` or `**`: matches any server URL, so also a cluster whose URL is unknown.
    server_matches_any: bool,
    namespace: NegatableGlob,
    name_is_deny: bool,
    server_is_deny: bool,
    namespace_is_deny: bool,
}

impl CompiledDestinations {
    /// Compiles `spec.destinations`.
    pub fn new(spec: &AppProjectSpec) -> CompiledDestinations {
        let items = spec
            .destinations
            .iter()
            .flatten()
            .map(|item| {
                let name = item.name.as_deref().unwrap_or("");
                let server = item.server.as_deref().unwrap_or("");
                let namespace = item.namespace.as_deref().unwrap_or("");
                CompiledDestination {
                    name: NegatableGlob::new(name, true, &[]),
                    server: NegatableGlob::new(server, true, &[]),
                    server_matches_any: matches!(server, "*" | "**"),
                    namespace: NegatableGlob::new(namespace, true, &[]),
                    name_is_deny: is_deny_pattern(name),
                    server_is_deny: is_deny_pattern(server),
                    namespace_is_deny: is_deny_pattern(namespace),
                }
            })
            .collect();
        CompiledDestinations {
            items,
            permit_only_project_scoped_clusters: spec.permit_only_project_scoped_clusters
                == Some(true),
        }
    }

    /// Whether `namespace` on `cluster` is a permitted destination (see
    /// [`is_destination_permitted`]).
    pub fn is_permitted(&self, cluster: &Cluster, namespace: &str) -> bool {
        let mut any_matched = false;
        for item in &self.items {
            let name_ok = !cluster.name.is_empty() && item.name.is_match(&cluster.name);
            let server_ok = if cluster.server.is_empty() {
                // Known only by name: whatever its URL is, `*` matches it.
                !cluster.name.is_empty() && item.server_matches_any
            } else {
                item.server.is_match(&cluster.server)
            };
            let ns_ok = item.namespace.is_match(namespace);
            if (server_ok || name_ok) && ns_ok {
                any_matched = true;
            } else if (!name_ok && item.name_is_deny)
                || (!server_ok && item.server_is_deny && ns_ok)
                || (!ns_ok && item.namespace_is_deny && server_ok)
            {
                return false;
            }
        }
        if any_matched && self.permit_only_project_scoped_clusters {
            return false;
        }
        any_matched
    }
}

fn is_resource_in_list(group: &str, kind: &str, list: &[AppProjectGroupKind]) -> bool {
    list.iter()
        .any(|item| filepath_match(&item.kind, kind) && filepath_match(&item.group, group))
}

fn is_named_resource_in_list(
    group: &str,
    kind: &str,
    name: &str,
    list: &[ClusterResourceRestrictionItem],
) -> bool {
    list.iter().any(|item| {
        filepath_match(&item.kind, kind)
            && filepath_match(&item.group, group)
            && match item.name.as_deref() {
                None | Some("") => true,
                Some(pattern) => filepath_match(pattern, name),
            }
    })
}

/// Upstream's `IsGroupKindNamePermitted`. Namespaced: an absent whitelist allows every kind, an
/// empty one (`[]`) none. Cluster-scoped: denied unless whitelisted (absent or empty allows
/// none). Items match with Go's `filepath.Match`; the core group is `""`.
pub fn is_group_kind_name_permitted(
    spec: &AppProjectSpec,
    group: &str,
    kind: &str,
    name: &str,
    namespaced: bool,
) -> bool {
    if namespaced {
        let whitelisted = match &spec.namespace_resource_whitelist {
            None => true,
            Some(list) => !list.is_empty() && is_resource_in_list(group, kind, list),
        };
        let blacklisted = spec
            .namespace_resource_blacklist
            .as_deref()
            .is_some_and(|list| is_resource_in_list(group, kind, list));
        return whitelisted && !blacklisted;
    }
    let whitelisted = spec
        .cluster_resource_whitelist
        .as_deref()
        .is_some_and(|list| is_named_resource_in_list(group, kind, name, list));
    let blacklisted = spec
        .cluster_resource_blacklist
        .as_deref()
        .is_some_and(|list| is_named_resource_in_list(group, kind, name, list));
    whitelisted && !blacklisted
}

/// Upstream's `IsAppNamespacePermitted`: Applications in the control-plane namespace (or not
/// yet namespaced) always may use the project; others only if `sourceNamespaces` matches
/// (globs, or `/regex/`).
pub fn is_app_namespace_permitted(
    spec: &AppProjectSpec,
    app_namespace: &str,
    control_plane_namespace: &str,
) -> bool {
    app_namespace.is_empty()
        || app_namespace == control_plane_namespace
        || match_string_in_list(
            spec.source_namespaces.as_deref().unwrap_or(&[]),
            app_namespace,
        )
}

/// Upstream's `Application.InstanceName`: the value of the tracking label and the first part of
/// the tracking-id annotation on managed objects.
pub fn instance_name(app_name: &str, app_namespace: &str, control_plane_namespace: &str) -> String {
    if app_namespace.is_empty() || app_namespace == control_plane_namespace {
        app_name.to_string()
    } else {
        format!("{app_namespace}_{app_name}")
    }
}

/// Upstream's `Application.RBACName`: the object Argo RBAC policies are matched against. An
/// empty project means `default`, as upstream's `GetProject`.
pub fn rbac_name(
    project: &str,
    app_name: &str,
    app_namespace: &str,
    control_plane_namespace: &str,
) -> String {
    let project = if project.is_empty() {
        DEFAULT_PROJECT
    } else {
        project
    };
    if !control_plane_namespace.is_empty()
        && !app_namespace.is_empty()
        && app_namespace != control_plane_namespace
    {
        format!("{project}/{app_namespace}/{app_name}")
    } else {
        format!("{project}/{app_name}")
    }
}

fn str_value(s: &str) -> Value {
    Value::String(s.to_string())
}

fn invalid(field: String, value: &str, detail: String) -> FieldError {
    FieldError::invalid(field, str_value(value), detail)
}

fn duplicate(field: String, value: &str, detail: String) -> FieldError {
    FieldError::new(
        field,
        FieldErrorType::Duplicate,
        Some(str_value(value)),
        detail,
    )
}

fn forbidden(field: impl Into<String>, detail: String) -> FieldError {
    FieldError::new(field, FieldErrorType::Forbidden, None, detail)
}

/// The longest project description the CRD accepts.
const DESCRIPTION_MAX_LENGTH: usize = 255;

/// Characters upstream forbids in `destinationServiceAccounts[].defaultServiceAccount`.
const SERVICE_ACCOUNT_DISALLOWED_CHARS: &[char] = &['!', '*', '[', ']', '{', '}', '\\', '/'];

/// Upstream's `ValidateProject` plus the description length, reporting every violation (upstream
/// stops at the first) with the path of the offending element and upstream's message as the
/// detail. Sync windows are validated by [`crate::windows::validate_windows`].
pub fn validate_project(project: &AppProject) -> Vec<FieldError> {
    let spec = &project.spec;
    let project_name = project.metadata.name.as_deref().unwrap_or("");
    let mut errs = Vec::new();

    if let Some(description) = &spec.description
        && description.chars().count() > DESCRIPTION_MAX_LENGTH
    {
        errs.push(FieldError::new(
            "spec.description",
            FieldErrorType::TooLong,
            None,
            format!("may not be more than {DESCRIPTION_MAX_LENGTH} bytes"),
        ));
    }

    let mut dest_keys = HashSet::new();
    for (i, dest) in spec.destinations.iter().flatten().enumerate() {
        let name = dest.name.as_deref().unwrap_or("");
        let server = dest.server.as_deref().unwrap_or("");
        let namespace = dest.namespace.as_deref().unwrap_or("");
        for (field, value) in [("name", name), ("server", server), ("namespace", namespace)] {
            if value == "!*" {
                errs.push(invalid(
                    format!("spec.destinations[{i}].{field}"),
                    value,
                    format!("{field} has an invalid format, '!*'"),
                ));
            }
        }
        let key = if server.is_empty() && !name.is_empty() {
            format!("{name}/{namespace}")
        } else {
            format!("{server}/{namespace}")
        };
        if !dest_keys.insert(key.clone()) {
            errs.push(duplicate(
                format!("spec.destinations[{i}]"),
                &key,
                format!("destination '{key}' already added"),
            ));
        }
    }

    let mut source_namespaces = HashSet::new();
    for (i, ns) in spec.source_namespaces.iter().flatten().enumerate() {
        if !source_namespaces.insert(ns.as_str()) {
            errs.push(duplicate(
                format!("spec.sourceNamespaces[{i}]"),
                ns,
                format!("source namespace '{ns}' already added"),
            ));
        }
    }

    let mut source_repos = HashSet::new();
    for (i, repo) in spec.source_repos.iter().flatten().enumerate() {
        if repo == "!*" {
            errs.push(invalid(
                format!("spec.sourceRepos[{i}]"),
                repo,
                "source repository has an invalid format, '!*'".to_string(),
            ));
        }
        if !source_repos.insert(repo.as_str()) {
            errs.push(duplicate(
                format!("spec.sourceRepos[{i}]"),
                repo,
                format!("source repository '{repo}' already added"),
            ));
        }
    }

    let mut role_names = HashSet::new();
    for (i, role) in spec.roles.iter().flatten().enumerate() {
        let role_name = role.name.as_str();
        if !role_names.insert(role_name) {
            errs.push(duplicate(
                format!("spec.roles[{i}].name"),
                role_name,
                format!("role '{role_name}' already exists"),
            ));
        }
        if let Err(msg) = validate_role_name(role_name) {
            errs.push(invalid(format!("spec.roles[{i}].name"), role_name, msg));
        }
        let mut policies = HashSet::new();
        for (j, policy) in role.policies.iter().flatten().enumerate() {
            let field = format!("spec.roles[{i}].policies[{j}]");
            if !policies.insert(policy.as_str()) {
                errs.push(duplicate(
                    field,
                    policy,
                    format!("policy '{policy}' already exists for role '{role_name}'"),
                ));
            } else if let Err(msg) = validate_policy(project_name, role_name, policy) {
                errs.push(invalid(field, policy, msg));
            }
        }
        let mut groups = HashSet::new();
        for (j, group) in role.groups.iter().flatten().enumerate() {
            let field = format!("spec.roles[{i}].groups[{j}]");
            if !groups.insert(group.as_str()) {
                errs.push(duplicate(
                    field,
                    group,
                    format!("group '{group}' already exists for role '{role_name}'"),
                ));
            } else if let Err(msg) = validate_group_name(group) {
                errs.push(invalid(field, group, msg));
            }
        }
    }

    if let Some(windows) = &spec.sync_windows {
        errs.extend(crate::windows::validate_windows(windows));
    }

    let mut sa_keys = HashSet::new();
    for (i, sa) in spec
        .destination_service_accounts
        .iter()
        .flatten()
        .enumerate()
    {
        let server = sa.server.as_str();
        let namespace = sa.namespace.as_deref().unwrap_or("");
        let account = sa.default_service_account.as_str();
        let base = format!("spec.destinationServiceAccounts[{i}]");
        if server.contains('!') || !glob_compiles(server) {
            errs.push(invalid(
                format!("{base}.server"),
                server,
                format!("server has an invalid format, '{server}'"),
            ));
        }
        if namespace.contains('!') || !glob_compiles(namespace) {
            errs.push(invalid(
                format!("{base}.namespace"),
                namespace,
                format!("namespace has an invalid format, '{namespace}'"),
            ));
        }
        if account.trim_matches(' ').is_empty()
            || account.contains(SERVICE_ACCOUNT_DISALLOWED_CHARS)
        {
            errs.push(invalid(
                format!("{base}.defaultServiceAccount"),
                account,
                format!("defaultServiceAccount has an invalid format, '{account}'"),
            ));
        }
        let key = format!("{server}/{namespace}");
        if !sa_keys.insert(key.clone()) {
            errs.push(duplicate(
                base,
                &key,
                format!("destinationServiceAccount '{key}' already added"),
            ));
        }
    }

    errs
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

/// Upstream's `validateSourcePermissions` shape rules for one source; `multi` selects the
/// message upstream uses for an entry of `spec.sources` (where `ref` alone is enough).
fn validate_source_shape(src: &ApplicationSource, base: &str, multi: bool) -> Option<FieldError> {
    let path = opt(&src.path);
    let chart = opt(&src.chart);
    let missing = if multi {
        src.repo_url.is_empty()
            || (path.is_empty() && chart.is_empty() && opt(&src.r#ref).is_empty())
    } else {
        src.repo_url.is_empty() || (path.is_empty() && chart.is_empty())
    };
    if missing {
        let field = if src.repo_url.is_empty() {
            format!("{base}.repoURL")
        } else {
            format!("{base}.path")
        };
        let detail = if multi {
            format!(
                "spec.source.repoURL and either source.path, source.chart, or source.ref are required for source {}",
                src.repo_url
            )
        } else {
            "spec.source.repoURL and either spec.source.path or spec.source.chart are required"
                .to_string()
        };
        return Some(FieldError::required(field, detail));
    }
    if !chart.is_empty() && opt(&src.target_revision).is_empty() {
        return Some(FieldError::required(
            format!("{base}.targetRevision"),
            "spec.source.targetRevision is required if the manifest source is a helm chart",
        ));
    }
    None
}

fn repo_not_permitted(field: String, repo: &str, project: &str) -> FieldError {
    forbidden(
        field,
        format!("application repo {repo} is not permitted in project '{project}'"),
    )
}

/// Upstream's `ValidatePermissions` plus its `IsAppNamespacePermitted` gate, as field errors.
///
/// Sources follow upstream's precedence: `spec.sourceHydrator` if set (dry source, and the sync
/// source when its repo differs), else every entry of `spec.sources` if any, else `spec.source`.
/// Unlike upstream, which stops at the first malformed source, every problem is reported, as
/// kube validation does; a malformed source is not also checked against `sourceRepos`.
/// Destination resolution follows [`resolve_destination`] (and its limitation).
pub fn validate_application_permissions(
    app: &Application,
    project: &AppProject,
    control_plane_namespace: &str,
) -> Vec<FieldError> {
    let spec = &app.spec;
    let proj_spec = &project.spec;
    let proj_name = project.metadata.name.as_deref().unwrap_or("");
    let mut errs = Vec::new();

    if let Some(hydrator) = &spec.source_hydrator {
        let dry = &hydrator.dry_source;
        let mut shape_ok = true;
        if dry.repo_url.is_empty() {
            shape_ok = false;
            errs.push(FieldError::required(
                "spec.sourceHydrator.drySource.repoURL",
                "spec.sourceHydrator.drySource.repoURL is required",
            ));
        }
        if hydrator.sync_source.target_branch.is_empty() {
            shape_ok = false;
            errs.push(FieldError::required(
                "spec.sourceHydrator.syncSource.targetBranch",
                "spec.sourceHydrator.syncSource.targetBranch is required",
            ));
        }
        if let Some(to) = &hydrator.hydrate_to
            && to.target_branch.is_empty()
        {
            shape_ok = false;
            errs.push(FieldError::required(
                "spec.sourceHydrator.hydrateTo.targetBranch",
                "when spec.sourceHydrator.hydrateTo is set, spec.sourceHydrator.hydrateTo.targetBranch is required",
            ));
        }
        if shape_ok {
            if !is_source_permitted(proj_spec, &dry.repo_url) {
                errs.push(repo_not_permitted(
                    "spec.sourceHydrator.drySource.repoURL".to_string(),
                    &dry.repo_url,
                    proj_name,
                ));
            }
            let sync_repo = match hydrator.sync_source.repo_url.as_deref() {
                Some(r) if !r.is_empty() => r,
                _ => dry.repo_url.as_str(),
            };
            if sync_repo != dry.repo_url && !is_source_permitted(proj_spec, sync_repo) {
                errs.push(forbidden(
                    "spec.sourceHydrator.syncSource.repoURL",
                    format!(
                        "sync source repo {sync_repo} is not permitted in project '{proj_name}'"
                    ),
                ));
            }
        }
    } else if let Some(sources) = spec.sources.as_ref().filter(|s| !s.is_empty()) {
        for (i, src) in sources.iter().enumerate() {
            let base = format!("spec.sources[{i}]");
            if let Some(err) = validate_source_shape(src, &base, true) {
                errs.push(err);
            } else if !is_source_permitted(proj_spec, &src.repo_url) {
                errs.push(repo_not_permitted(
                    format!("{base}.repoURL"),
                    &src.repo_url,
                    proj_name,
                ));
            }
        }
    } else {
        match &spec.source {
            None => errs.push(FieldError::required(
                "spec.source",
                "spec.source.repoURL and either spec.source.path or spec.source.chart are required",
            )),
            Some(src) => {
                if let Some(err) = validate_source_shape(src, "spec.source", false) {
                    errs.push(err);
                } else if !is_source_permitted(proj_spec, &src.repo_url) {
                    errs.push(repo_not_permitted(
                        "spec.source.repoURL".to_string(),
                        &src.repo_url,
                        proj_name,
                    ));
                }
            }
        }
    }

    let dest = &spec.destination;
    let dest_ns = opt(&dest.namespace);
    match resolve_destination(dest) {
        Err(msg) if msg == ERR_DESTINATION_MISSING => {
            errs.push(FieldError::required("spec.destination.server", msg));
        }
        Err(msg) => errs.push(FieldError::invalid(
            "spec.destination",
            serde_json::to_value(dest).unwrap_or(Value::Null),
            msg,
        )),
        Ok(cluster) => {
            if !is_destination_permitted(proj_spec, &cluster, dest_ns) {
                let shown = if opt(&dest.name).is_empty() {
                    &cluster.server
                } else {
                    &cluster.name
                };
                errs.push(forbidden(
                    "spec.destination",
                    format!(
                        "application destination server '{shown}' and namespace '{dest_ns}' do not match any of the allowed destinations in project '{proj_name}'"
                    ),
                ));
            }
        }
    }

    let app_ns = app.metadata.namespace.as_deref().unwrap_or("");
    if !is_app_namespace_permitted(proj_spec, app_ns, control_plane_namespace) {
        let app_name = app.metadata.name.as_deref().unwrap_or("");
        errs.push(forbidden(
            "metadata.namespace",
            format!(
                "application '{app_name}' in namespace '{app_ns}' is not allowed to use project {proj_name}"
            ),
        ));
    }

    errs
}

/// The repo URLs of an app that upstream's project-update check looks at (`GetSource`: the sync
/// source of a hydrator, else the first of `sources`, else `source`) — here every source, so
/// that an update cannot silently strand a later entry of `sources`.
fn app_repo_urls(app: &Application) -> Vec<&str> {
    let spec = &app.spec;
    if let Some(h) = &spec.source_hydrator {
        let mut repos = vec![h.dry_source.repo_url.as_str()];
        if let Some(sync) = h.sync_source.repo_url.as_deref().filter(|r| !r.is_empty()) {
            repos.push(sync);
        }
        return repos;
    }
    if let Some(sources) = spec.sources.as_ref().filter(|s| !s.is_empty()) {
        return sources.iter().map(|s| s.repo_url.as_str()).collect();
    }
    spec.source.iter().map(|s| s.repo_url.as_str()).collect()
}

fn app_uses_project(app: &Application, project: &AppProject) -> bool {
    let Some(name) = project.metadata.name.as_deref() else {
        return true;
    };
    let app_project = if app.spec.project.is_empty() {
        DEFAULT_PROJECT
    } else {
        app.spec.project.as_str()
    };
    app_project == name
}

/// Counts apps whose sources / destination `new` would not permit. With `old`, as upstream,
/// only apps that `old` permitted count; without it, every app invalid under `new` counts.
fn count_invalidated(
    old: Option<&AppProject>,
    new: &AppProject,
    apps: &[Application],
) -> (usize, usize) {
    let (mut src, mut dst) = (0, 0);
    for app in apps.iter().filter(|a| app_uses_project(a, new)) {
        let repos = app_repo_urls(app);
        let src_ok_new = repos.iter().all(|r| is_source_permitted(&new.spec, r));
        let src_ok_old = old.is_none_or(|o| repos.iter().all(|r| is_source_permitted(&o.spec, r)));
        if src_ok_old && !src_ok_new {
            src += 1;
        }
        let ns = opt(&app.spec.destination.namespace);
        match resolve_destination(&app.spec.destination) {
            Err(msg) if msg == ERR_DESTINATION_MISSING => dst += 1,
            // Upstream skips apps whose cluster cannot be resolved: they are already in error.
            Err(_) => {}
            Ok(cluster) => {
                let ok_old = old.is_none_or(|o| is_destination_permitted(&o.spec, &cluster, ns));
                if ok_old && !is_destination_permitted(&new.spec, &cluster, ns) {
                    dst += 1;
                }
            }
        }
    }
    (src, dst)
}

fn invalidation_message(src: usize, dst: usize) -> Option<String> {
    let mut parts = Vec::new();
    if src > 0 {
        parts.push(format!("{src} applications source became invalid"));
    }
    if dst > 0 {
        parts.push(format!("{dst} applications destination became invalid"));
    }
    (!parts.is_empty()).then(|| format!("as a result of project update {}", parts.join(" and ")))
}

/// Upstream's refusal of a project update that strands existing apps: `None` when every app of
/// the project (among `apps`; an empty `spec.project` means `default`) keeps its sources and
/// destination permitted under `new`, else "as a result of project update N applications source
/// became invalid and M applications destination became invalid". Apps that were already invalid
/// count too; [`project_update_invalidates_since`] compares with the old spec as upstream does.
pub fn project_update_invalidates(
    new: &AppProject,
    apps: &[Application],
    _control_plane_namespace: &str,
) -> Option<String> {
    let (src, dst) = count_invalidated(None, new, apps);
    invalidation_message(src, dst)
}

/// As [`project_update_invalidates`], counting only apps that `old` permitted and `new` does not
/// (upstream's exact rule), so an update never fails because of apps that were already invalid.
pub fn project_update_invalidates_since(
    old: &AppProject,
    new: &AppProject,
    apps: &[Application],
) -> Option<String> {
    let (src, dst) = count_invalidated(Some(old), new, apps);
    invalidation_message(src, dst)
}

/// Upstream's refusals of a project delete: the `default` project is reserved, and a project
/// still used by Applications cannot go.
pub fn project_delete_refusal(project_name: &str, referencing_apps: usize) -> Option<String> {
    if project_name == DEFAULT_PROJECT {
        return Some(format!(
            "name '{project_name}' is reserved and cannot be deleted"
        ));
    }
    (referencing_apps > 0)
        .then(|| format!("project is referenced by {referencing_apps} applications"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(v: Value) -> AppProjectSpec {
        serde_json::from_value(v).expect("AppProjectSpec")
    }

    fn project(name: &str, spec_json: Value) -> AppProject {
        serde_json::from_value(json!({"metadata": {"name": name}, "spec": spec_json}))
            .expect("AppProject")
    }

    fn app(v: Value) -> Application {
        serde_json::from_value(v).expect("Application")
    }

    fn sources(list: &[&str]) -> AppProjectSpec {
        spec(json!({ "sourceRepos": list }))
    }

    fn server(s: &str) -> Cluster {
        Cluster {
            server: s.into(),
            name: String::new(),
        }
    }

    fn named(n: &str) -> Cluster {
        Cluster {
            server: String::new(),
            name: n.into(),
        }
    }

    /// `is_destination_permitted`, checked against the pre-compilation implementation (kept here
    /// verbatim) and against one `CompiledDestinations` reused for the same spec.
    fn permitted_all_ways(spec: &AppProjectSpec, cluster: &Cluster, namespace: &str) -> bool {
        let plain = is_destination_permitted(spec, cluster, namespace);
        assert_eq!(
            plain,
            reference_destination_permitted(spec, cluster, namespace),
            "reference"
        );
        let compiled = CompiledDestinations::new(spec);
        for _ in 0..2 {
            assert_eq!(plain, compiled.is_permitted(cluster, namespace), "compiled");
        }
        plain
    }

    fn reference_glob_match_negatable(
        pattern: &str,
        value: &str,
        allow_negation: bool,
        seps: &[char],
    ) -> bool {
        if allow_negation && is_deny_pattern(pattern) {
            return !crate::glob::glob_match(&pattern[1..], value, seps);
        }
        pattern == "*" || crate::glob::glob_match(pattern, value, seps)
    }

    /// `is_destination_permitted` as it was before the compiled variant.
    fn reference_destination_permitted(
        spec: &AppProjectSpec,
        cluster: &Cluster,
        namespace: &str,
    ) -> bool {
        let mut any_matched = false;
        for item in spec.destinations.iter().flatten() {
            let item_name = item.name.as_deref().unwrap_or("");
            let item_server = item.server.as_deref().unwrap_or("");
            let item_ns = item.namespace.as_deref().unwrap_or("");
            let name_ok = !cluster.name.is_empty()
                && reference_glob_match_negatable(item_name, &cluster.name, true, &[]);
            let server_ok = !cluster.server.is_empty()
                && reference_glob_match_negatable(item_server, &cluster.server, true, &[]);
            let ns_ok = reference_glob_match_negatable(item_ns, namespace, true, &[]);
            if (server_ok || name_ok) && ns_ok {
                any_matched = true;
            } else if (!name_ok && is_deny_pattern(item_name))
                || (!server_ok && is_deny_pattern(item_server) && ns_ok)
                || (!ns_ok && is_deny_pattern(item_ns) && server_ok)
            {
                return false;
            }
        }
        if any_matched && spec.permit_only_project_scoped_clusters == Some(true) {
            return false;
        }
        any_matched
    }

    #[test]
    fn normalize_git_url_matches_upstream() {
        let cases = [
            (
                "https://github.com/argoproj/test.git",
                "https://github.com/argoproj/test",
            ),
            (
                " HTTPS://GitHub.com/ArgoProj/Test.git ",
                "https://github.com/argoproj/test",
            ),
            (
                "git@github.com:argoproj/test.git",
                "git@github.com/argoproj/test",
            ),
            (
                "ssh://git@github.com/argoproj/test",
                "git@github.com/argoproj/test",
            ),
            (
                "ssh://git@github.com:22/argoproj/test",
                "git@github.com:22/argoproj/test",
            ),
            // A non-numeric "port" fails Go's url.Parse.
            ("ssh://git@github.com:argoproj/test", ""),
            ("*", "*"),
            (
                "https://github.com/argoproj/*",
                "https://github.com/argoproj/*",
            ),
            ("https://*.example.com/**", "https://*.example.com/**"),
            // Characters Go re-escapes in a path.
            (
                "https://github.com/{a,b}/x",
                "https://github.com/%7Ba,b%7D/x",
            ),
            ("https://github.com/a b", "https://github.com/a%20b"),
            ("https://github.com/a%2fb", "https://github.com/a%2fb"),
            ("https://github.com/a%zz", ""),
            ("https://{a,b}.com/x", ""),
            (
                "https://user:pass@host.com/x",
                "https://user:pass@host.com/x",
            ),
            ("https://host.com/x?ref=main", "https://host.com/x?ref=main"),
            ("https://host.com/x#frag", "https://host.com/x#frag"),
            ("file:///srv/repo", "file:///srv/repo"),
            (
                "oci://registry.example.com/charts",
                "oci://registry.example.com/charts",
            ),
            ("registry.example.com/charts", "registry.example.com/charts"),
            (":bad", ""),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_git_url(input), want, "{input}");
        }
    }

    #[test]
    fn source_permitted_upstream_table() {
        let cases: &[(&[&str], &str, bool)] = &[
            (&["*"], "https://github.com/argoproj/test.git", true),
            (
                &["https://github.com/argoproj/test.git"],
                "https://github.com/argoproj/test.git",
                true,
            ),
            (
                &["ssh://git@GITHUB.com:argoproj/test"],
                "ssh://git@github.com:argoproj/test",
                true,
            ),
            (
                &["https://github.com/argoproj/*"],
                "https://github.com/argoproj/argoproj.git",
                true,
            ),
            (
                &[
                    "https://github.com/test1/test.git",
                    "https://github.com/test2/test.git",
                ],
                "https://github.com/test2/test.git",
                true,
            ),
            (
                &["https://github.com/argoproj/test1.git"],
                "https://github.com/argoproj/test2.git",
                false,
            ),
            (
                &["https://github.com/argoproj/*.git"],
                "https://github.com/argoproj1/test2.git",
                false,
            ),
            (
                &["https://github.com/argoproj/foo"],
                "https://github.com/argoproj/foo1",
                false,
            ),
            (
                &["https://gitlab.com/group/*"],
                "https://gitlab.com/group/repo/owner",
                false,
            ),
            (
                &["https://gitlab.com/group/*/*"],
                "https://gitlab.com/group/repo/owner",
                true,
            ),
            (
                &["https://gitlab.com/group/*/*/*"],
                "https://gitlab.com/group/sub-group/repo/owner",
                true,
            ),
            (
                &["https://gitlab.com/group/**"],
                "https://gitlab.com/group/sub-group/repo/owner",
                true,
            ),
            (
                &["git@github.com:argoproj/*"],
                "git@github.com:argoproj/test.git",
                true,
            ),
            (&[], "https://github.com/argoproj/test.git", false),
        ];
        for (list, repo, want) in cases {
            assert_eq!(
                is_source_permitted(&sources(list), repo),
                *want,
                "{list:?} {repo}"
            );
        }
    }

    #[test]
    fn negated_source_permitted_upstream_table() {
        let cases: &[(&[&str], &str, bool)] = &[
            (
                &["!https://github.com/argoproj/test.git"],
                "https://github.com/argoproj/test.git",
                false,
            ),
            (
                &["!ssh://git@GITHUB.com:argoproj/test"],
                "ssh://git@github.com:argoproj/test",
                false,
            ),
            (
                &["!https://github.com/argoproj/*"],
                "https://github.com/argoproj/argoproj.git",
                false,
            ),
            (
                &[
                    "https://github.com/test1/test.git",
                    "!https://github.com/test2/test.git",
                ],
                "https://github.com/test2/test.git",
                false,
            ),
            (
                &["!https://github.com/argoproj/foo*"],
                "https://github.com/argoproj/foo1",
                false,
            ),
            (
                &["!https://gitlab.com/group/*/*"],
                "https://gitlab.com/group/repo/owner",
                false,
            ),
            (
                &["!https://gitlab.com/group/**"],
                "https://gitlab.com/group/sub-group/repo/owner",
                false,
            ),
            (
                &["https://github.com/argoproj/test1.git", "*"],
                "https://github.com/argoproj/test2.git",
                true,
            ),
            (
                &["!https://github.com/argoproj/*.git", "*"],
                "https://github.com/argoproj1/test2.git",
                true,
            ),
            // A deny rule wins wherever it is in the list.
            (
                &["*", "!https://github.com/argoproj/*"],
                "https://github.com/argoproj/x.git",
                false,
            ),
            // A deny rule that does not match counts as a match on its own.
            (
                &["!https://github.com/evil/*"],
                "https://github.com/good/repo.git",
                true,
            ),
        ];
        for (list, repo, want) in cases {
            assert_eq!(
                is_source_permitted(&sources(list), repo),
                *want,
                "{list:?} {repo}"
            );
        }
    }

    fn dests(v: Value) -> AppProjectSpec {
        spec(json!({ "destinations": v }))
    }

    #[test]
    fn destination_permitted_upstream_table() {
        let k = "https://kubernetes.default.svc";
        let cases = [
            (
                json!([{"server": k, "namespace": "default"}]),
                server(k),
                "default",
                true,
            ),
            (
                json!([{"server": k, "namespace": "default"}]),
                server(k),
                "kube-system",
                false,
            ),
            (
                json!([{"server": "https://my-cluster", "namespace": "default"}]),
                server(k),
                "default",
                false,
            ),
            (
                json!([{"server": k, "namespace": "*"}]),
                server(k),
                "kube-system",
                true,
            ),
            (
                json!([{"server": "https://*.default.svc", "namespace": "default"}]),
                server(k),
                "default",
                true,
            ),
            (
                json!([{"server": "https://team1-*", "namespace": "default"}]),
                server("https://test2-dev-cluster"),
                "default",
                false,
            ),
            (
                json!([{"server": k, "namespace": "test-*"}]),
                server(k),
                "test-foo",
                true,
            ),
            (
                json!([{"server": k, "namespace": "test-*"}]),
                server(k),
                "test",
                false,
            ),
            (
                json!([{"server": "*", "namespace": "*"}]),
                server(k),
                "test",
                true,
            ),
            (
                json!([{"server": "", "namespace": "*", "name": "test"}]),
                named("test"),
                "test",
                true,
            ),
            (
                json!([{"server": "", "namespace": "*", "name": "test2"}]),
                named("test"),
                "test",
                false,
            ),
            (
                json!([
                    {"name": "host-cluster", "server": k, "namespace": "!{kube-system,argocd}"},
                    {"name": "destination-cluster-01", "server": "https://eks.example.com", "namespace": "*"}
                ]),
                server("https://eks.example.com"),
                "kube-system",
                true,
            ),
        ];
        for (d, cluster, ns, want) in cases {
            assert_eq!(
                permitted_all_ways(&dests(d.clone()), &cluster, ns),
                want,
                "{d} {cluster:?} {ns}"
            );
        }
    }

    #[test]
    fn negated_destination_permitted_upstream_table() {
        let k = "https://kubernetes.default.svc";
        let cases = [
            (
                json!([{"server": format!("!{k}"), "namespace": "default"}]),
                server(k),
                "default",
                false,
            ),
            (
                json!([{"server": k, "namespace": "!default"}]),
                server(k),
                "kube-system",
                true,
            ),
            (
                json!([{"server": "!https://my-cluster", "namespace": "default"}]),
                server(k),
                "default",
                true,
            ),
            (
                json!([{"server": format!("!{k}"), "namespace": "*"}]),
                server(k),
                "kube-system",
                false,
            ),
            (
                json!([{"server": "!https://*.default.svc", "namespace": "default"}]),
                server(k),
                "default",
                false,
            ),
            (
                json!([{"server": "!https://team1-*", "namespace": "default"}]),
                server("https://test2-dev-cluster"),
                "default",
                true,
            ),
            (
                json!([{"server": k, "namespace": "!test-*"}]),
                server(k),
                "test-foo",
                false,
            ),
            (
                json!([{"server": k, "namespace": "!test-*"}]),
                server(k),
                "test",
                true,
            ),
            (
                json!([{"server": "", "namespace": "*", "name": "!test"}]),
                named("test"),
                "test",
                false,
            ),
            (
                json!([{"server": "", "namespace": "*", "name": "!test2"}]),
                named("test"),
                "test",
                true,
            ),
            (
                json!([{"server": "*", "namespace": "kube-system"}, {"server": "*", "namespace": "!kube-system"}]),
                server(k),
                "kube-system",
                false,
            ),
            (
                json!([{"server": "*", "namespace": "*"}, {"server": "*", "namespace": "!kube-system"}]),
                server(k),
                "kube-system",
                false,
            ),
            (
                json!([{"server": k, "namespace": "*"}, {"server": format!("!{k}"), "namespace": "*"}]),
                server(k),
                "kube-system",
                false,
            ),
            (
                json!([{"server": "*", "namespace": "*"}, {"server": format!("!{k}"), "namespace": "kube-system"}]),
                server(k),
                "kube-system",
                false,
            ),
            (
                json!([{"server": "*", "namespace": "*"}, {"server": format!("!{k}"), "namespace": "kube-system"}, {"server": "*", "namespace": "!kube-system"}]),
                server(k),
                "default",
                true,
            ),
            (
                json!([{"server": "*", "namespace": "*"}, {"server": format!("!{k}"), "namespace": "kube-system"}, {"server": "*", "namespace": "!kube-system"}]),
                server("https://test-dev-cluster"),
                "kube-system",
                false,
            ),
            (
                json!([{"server": "", "namespace": "*", "name": "test"}, {"server": "", "namespace": "*", "name": "!test"}]),
                named("test"),
                "test",
                false,
            ),
            (
                json!([{"server": "*", "namespace": "test"}, {"server": "!https://test-server", "namespace": "other"}]),
                server("https://test-server"),
                "test",
                true,
            ),
            (
                json!([{"server": "*", "namespace": "*"}, {"server": "https://test-server", "namespace": "!other"}]),
                server("https://other-test-server"),
                "other",
                true,
            ),
        ];
        for (d, cluster, ns, want) in cases {
            assert_eq!(
                permitted_all_ways(&dests(d.clone()), &cluster, ns),
                want,
                "{d} {cluster:?} {ns}"
            );
        }
    }

    #[test]
    fn in_cluster_resolves_both_ways_and_matches_by_name_or_server() {
        let by_name = resolve_destination(&ApplicationDestination {
            name: Some(IN_CLUSTER_NAME.into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(by_name.server, IN_CLUSTER_SERVER);
        let by_server = resolve_destination(&ApplicationDestination {
            server: Some(format!("{IN_CLUSTER_SERVER}//")),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(by_server, by_name);
        let s = dests(json!([{"name": "in-cluster", "namespace": "*"}]));
        assert!(is_destination_permitted(&s, &by_server, "x"));
        let s = dests(json!([{"server": IN_CLUSTER_SERVER, "namespace": "*"}]));
        assert!(is_destination_permitted(&s, &by_name, "x"));
        // Other clusters are known only by what the app says.
        let other = resolve_destination(&ApplicationDestination {
            name: Some("prod".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(other, named("prod"));
        assert_eq!(
            resolve_destination(&ApplicationDestination {
                name: Some("minikube".into()),
                server: Some("https://127.0.0.1:6443".into()),
                ..Default::default()
            }),
            Err("application destination can't have both name and server defined: minikube https://127.0.0.1:6443".into())
        );
        assert_eq!(
            resolve_destination(&ApplicationDestination::default()),
            Err(ERR_DESTINATION_MISSING.into())
        );
    }

    #[test]
    fn permit_only_project_scoped_clusters_permits_nothing_here() {
        let s = spec(
            json!({"destinations": [{"server": "*", "namespace": "*"}], "permitOnlyProjectScopedClusters": true}),
        );
        assert!(!is_destination_permitted(
            &s,
            &server(IN_CLUSTER_SERVER),
            "default"
        ));
    }

    #[test]
    fn group_kind_permitted_upstream_cases() {
        let s = spec(
            json!({"namespaceResourceWhitelist": [], "namespaceResourceBlacklist": [{"group": "apps", "kind": "Deployment"}]}),
        );
        assert!(
            !is_group_kind_name_permitted(&s, "apps", "ReplicaSet", "", true),
            "[] allows none"
        );
        assert!(!is_group_kind_name_permitted(
            &s,
            "apps",
            "Deployment",
            "",
            true
        ));

        let s = spec(
            json!({"namespaceResourceWhitelist": [{"group": "apps", "kind": "ReplicaSet"}], "namespaceResourceBlacklist": [{"group": "apps", "kind": "Deployment"}]}),
        );
        assert!(is_group_kind_name_permitted(
            &s,
            "apps",
            "ReplicaSet",
            "",
            true
        ));
        assert!(!is_group_kind_name_permitted(
            &s, "apps", "Action", "", true
        ));

        let s = spec(json!({"clusterResourceBlacklist": [{"group": "", "kind": "Namespace"}]}));
        assert!(!is_group_kind_name_permitted(
            &s,
            "",
            "Namespace",
            "",
            false
        ));

        let s = spec(
            json!({"clusterResourceWhitelist": [{"group": "*", "kind": "*"}], "clusterResourceBlacklist": [{"group": "*", "kind": "*"}]}),
        );
        assert!(!is_group_kind_name_permitted(
            &s,
            "",
            "Namespace",
            "",
            false
        ));
        assert!(is_group_kind_name_permitted(&s, "apps", "Action", "", true));

        let s = spec(
            json!({"clusterResourceWhitelist": [], "namespaceResourceWhitelist": [{"group": "*", "kind": "*"}]}),
        );
        assert!(!is_group_kind_name_permitted(
            &s,
            "",
            "Namespace",
            "",
            false
        ));
        assert!(is_group_kind_name_permitted(&s, "apps", "Action", "", true));

        // Nil lists: namespaced allowed, cluster-scoped denied by default.
        let s = spec(json!({}));
        assert!(!is_group_kind_name_permitted(
            &s,
            "",
            "Namespace",
            "",
            false
        ));
        assert!(is_group_kind_name_permitted(&s, "apps", "Action", "", true));

        let s = spec(
            json!({"clusterResourceWhitelist": [{"group": "", "kind": "Namespace", "name": "team1-*"}]}),
        );
        assert!(!is_group_kind_name_permitted(
            &s,
            "",
            "Namespace",
            "other-namespace",
            false
        ));
        assert!(is_group_kind_name_permitted(
            &s,
            "",
            "Namespace",
            "team1-namespace",
            false
        ));

        // filepath.Match: no alternatives, `*` matches the core group.
        let s =
            spec(json!({"namespaceResourceWhitelist": [{"group": "*", "kind": "{Pod,Service}"}]}));
        assert!(!is_group_kind_name_permitted(&s, "", "Pod", "", true));
        let s = spec(json!({"namespaceResourceWhitelist": [{"group": "*", "kind": "Pod"}]}));
        assert!(is_group_kind_name_permitted(&s, "", "Pod", "", true));
    }

    #[test]
    fn app_namespace_permitted_upstream_cases() {
        let s = spec(json!({"sourceNamespaces": ["other-ns"]}));
        assert!(is_app_namespace_permitted(&s, "argocd", "argocd"));
        assert!(is_app_namespace_permitted(&s, "some-ns", "some-ns"));
        assert!(is_app_namespace_permitted(&s, "", "argocd"));
        let s = spec(json!({"sourceNamespaces": []}));
        assert!(!is_app_namespace_permitted(&s, "some-ns", "argocd"));
        let s = spec(json!({"sourceNamespaces": ["some-ns"]}));
        assert!(is_app_namespace_permitted(&s, "some-ns", "argocd"));
        assert!(!is_app_namespace_permitted(&s, "other-ns", "argocd"));
        let s = spec(json!({"sourceNamespaces": ["some-*"]}));
        assert!(is_app_namespace_permitted(&s, "some-ns1", "argocd"));
        assert!(!is_app_namespace_permitted(&s, "someotherns", "argocd"));
        let s = spec(json!({"sourceNamespaces": ["/^team-(a|b)$/"]}));
        assert!(is_app_namespace_permitted(&s, "team-a", "argocd"));
        assert!(!is_app_namespace_permitted(&s, "team-c", "argocd"));
    }

    #[test]
    fn instance_and_rbac_names() {
        assert_eq!(instance_name("app", "argocd", "argocd"), "app");
        assert_eq!(instance_name("app", "", "argocd"), "app");
        assert_eq!(instance_name("app", "team", "argocd"), "team_app");
        assert_eq!(
            rbac_name("default", "test-app", "argocd", "argocd"),
            "default/test-app"
        );
        assert_eq!(
            rbac_name("default", "test-app", "some-ns", "some-ns"),
            "default/test-app"
        );
        assert_eq!(
            rbac_name("default", "test-app", "some-ns", "argocd"),
            "default/some-ns/test-app"
        );
        assert_eq!(
            rbac_name("", "test-app", "argocd", "argocd"),
            "default/test-app"
        );
        assert_eq!(rbac_name("", "test-app", "", "argocd"), "default/test-app");
    }

    fn valid_project() -> AppProject {
        project(
            "my-proj",
            json!({
                "sourceRepos": ["https://github.com/argoproj/*"],
                "destinations": [{"server": "https://kubernetes.default.svc", "namespace": "default"}],
                "roles": [{"name": "my-role", "policies": ["p, proj:my-proj:my-role, applications, get, my-proj/*, allow"], "groups": ["my-org:my-team"]}]
            }),
        )
    }

    fn errors_for(p: &AppProject) -> Vec<String> {
        validate_project(p)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn validate_project_accepts_valid_and_default() {
        assert_eq!(errors_for(&valid_project()), Vec::<String>::new());
        let mut d = valid_project();
        d.spec = default_project_spec();
        assert_eq!(errors_for(&d), Vec::<String>::new());
    }

    #[test]
    fn validate_project_destinations() {
        for field in ["namespace", "server", "name"] {
            let mut p = valid_project();
            let d = &mut p.spec.destinations.as_mut().unwrap()[0];
            match field {
                "namespace" => d.namespace = Some("!*".into()),
                "server" => d.server = Some("!*".into()),
                _ => d.name = Some("!*".into()),
            }
            let errs = validate_project(&p);
            assert_eq!(errs.len(), 1, "{errs:?}");
            assert_eq!(errs[0].field, format!("spec.destinations[0].{field}"));
            assert_eq!(
                errs[0].detail,
                format!("{field} has an invalid format, '!*'")
            );
        }
        let mut p = valid_project();
        p.spec.destinations = Some(vec![
            ApplicationDestination {
                server: Some("s".into()),
                namespace: Some("n".into()),
                name: None,
            },
            ApplicationDestination {
                server: Some("s".into()),
                namespace: Some("n".into()),
                name: None,
            },
        ]);
        let errs = validate_project(&p);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "spec.destinations[1]");
        assert_eq!(errs[0].error_type, FieldErrorType::Duplicate);
        assert_eq!(errs[0].detail, "destination 's/n' already added");
        // Same namespace, different cluster names, blank server: fine.
        p.spec.destinations = Some(vec![
            ApplicationDestination {
                server: None,
                namespace: Some("n".into()),
                name: Some("c1".into()),
            },
            ApplicationDestination {
                server: None,
                namespace: Some("n".into()),
                name: Some("c2".into()),
            },
        ]);
        assert!(validate_project(&p).is_empty());
        p.spec.source_namespaces = Some(vec!["argocd".into(), "argocd".into()]);
        let errs = errors_for(&p);
        assert_eq!(
            errs,
            vec![
                "spec.sourceNamespaces[1]: Duplicate value: \"argocd\": source namespace 'argocd' already added"
            ]
        );
    }

    #[test]
    fn validate_project_sources() {
        let mut p = valid_project();
        p.spec.source_repos = Some(vec!["!*".into()]);
        assert_eq!(
            errors_for(&p),
            vec![
                "spec.sourceRepos[0]: Invalid value: \"!*\": source repository has an invalid format, '!*'"
            ]
        );
        p.spec.source_repos = Some(vec!["foo".into(), "foo".into()]);
        assert_eq!(
            errors_for(&p),
            vec![
                "spec.sourceRepos[1]: Duplicate value: \"foo\": source repository 'foo' already added"
            ]
        );
    }

    #[test]
    fn validate_project_role_names() {
        for bad in [
            "", " ", "my role", "my, role", "my,role", "my\nrole", "my\rrole", "my:role",
            "my-role-", "-my-role",
        ] {
            let mut p = valid_project();
            p.spec.roles.as_mut().unwrap()[0].name = bad.into();
            p.spec.roles.as_mut().unwrap()[0].policies = None;
            let errs = validate_project(&p);
            assert_eq!(errs.len(), 1, "{bad:?}: {errs:?}");
            assert_eq!(errs[0].field, "spec.roles[0].name");
            assert!(
                errs[0]
                    .detail
                    .starts_with(&format!("invalid role name '{bad}'"))
            );
        }
        for good in ["MY-ROLE", "1MY-ROLE1", "a"] {
            let mut p = valid_project();
            p.spec.roles.as_mut().unwrap()[0].name = good.into();
            p.spec.roles.as_mut().unwrap()[0].policies = None;
            assert!(validate_project(&p).is_empty(), "{good}");
        }
        let mut p = valid_project();
        let role = p.spec.roles.as_ref().unwrap()[0].clone();
        p.spec.roles.as_mut().unwrap().push(role);
        let errs = errors_for(&p);
        assert_eq!(
            errs,
            vec!["spec.roles[1].name: Duplicate value: \"my-role\": role 'my-role' already exists"]
        );
    }

    #[test]
    fn validate_project_groups_and_policies() {
        for bad in [
            "",
            " ",
            "my, group",
            "my,group",
            "my\ngroup",
            "my\rgroup",
            " my:group",
            "my:group ",
        ] {
            let mut p = valid_project();
            p.spec.roles.as_mut().unwrap()[0].groups = Some(vec![bad.into()]);
            let errs = validate_project(&p);
            assert_eq!(errs.len(), 1, "{bad:?}");
            assert_eq!(errs[0].field, "spec.roles[0].groups[0]");
        }
        let mut p = valid_project();
        p.spec.roles.as_mut().unwrap()[0].groups = Some(vec!["g".into(), "g".into()]);
        assert_eq!(
            errors_for(&p),
            vec![
                "spec.roles[0].groups[1]: Duplicate value: \"g\": group 'g' already exists for role 'my-role'"
            ]
        );

        let mut p = valid_project();
        let line = "p, proj:my-proj:my-role, applications, get, other/*, allow";
        p.spec.roles.as_mut().unwrap()[0].policies = Some(vec![
            "p, proj:my-proj:my-role, applications, get, my-proj/*, allow".into(),
            line.into(),
            line.into(),
        ]);
        let errs = validate_project(&p);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].field, "spec.roles[0].policies[1]");
        assert!(
            errs[0]
                .detail
                .contains("object must be of form 'my-proj/*'")
        );
        assert_eq!(errs[1].field, "spec.roles[0].policies[2]");
        assert_eq!(errs[1].error_type, FieldErrorType::Duplicate);
    }

    #[test]
    fn validate_project_destination_service_accounts_and_description() {
        let mut p = valid_project();
        p.spec = spec(json!({
            "description": "x".repeat(256),
            "destinationServiceAccounts": [
                {"server": "!https://a", "namespace": "ns", "defaultServiceAccount": "sa"},
                {"server": "https://a", "namespace": "[", "defaultServiceAccount": " "},
                {"server": "https://a", "namespace": "ns", "defaultServiceAccount": "ns:sa"},
                {"server": "https://a", "namespace": "ns", "defaultServiceAccount": "sa/x"},
            ]
        }));
        let fields: Vec<String> = validate_project(&p).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                "spec.description",
                "spec.destinationServiceAccounts[0].server",
                "spec.destinationServiceAccounts[1].namespace",
                "spec.destinationServiceAccounts[1].defaultServiceAccount",
                "spec.destinationServiceAccounts[3].defaultServiceAccount",
                "spec.destinationServiceAccounts[3]",
            ]
        );
        p.spec.description = Some("é".repeat(255));
        p.spec.destination_service_accounts = None;
        assert!(validate_project(&p).is_empty());
    }

    #[test]
    fn validate_project_includes_sync_window_errors() {
        let mut p = valid_project();
        p.spec.sync_windows = Some(vec![argo_openapi::types::cd::SyncWindow {
            kind: Some("allow".into()),
            schedule: Some("* * * * *".into()),
            duration: Some("1h".into()),
            ..Default::default()
        }]);
        let errs = validate_project(&p);
        assert!(!errs.is_empty());
        assert!(
            errs.iter()
                .all(|e| e.field.starts_with("spec.syncWindows[0]")),
            "{errs:?}"
        );
    }

    fn test_app(spec_json: Value) -> Application {
        app(json!({"metadata": {"name": "guestbook", "namespace": "argocd"}, "spec": spec_json}))
    }

    #[test]
    fn application_permissions_ok_and_forbidden() {
        let p = valid_project();
        let ok = test_app(json!({
            "project": "my-proj",
            "source": {"repoURL": "https://github.com/argoproj/guestbook.git", "path": "guestbook"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"}
        }));
        assert!(validate_application_permissions(&ok, &p, "argocd").is_empty());
        let via_name = test_app(json!({
            "project": "my-proj",
            "source": {"repoURL": "https://github.com/argoproj/guestbook.git", "path": "guestbook"},
            "destination": {"name": "in-cluster", "namespace": "default"}
        }));
        assert!(validate_application_permissions(&via_name, &p, "argocd").is_empty());

        let bad = app(json!({
            "metadata": {"name": "guestbook", "namespace": "team"},
            "spec": {
                "project": "my-proj",
                "source": {"repoURL": "https://github.com/evil/repo.git", "path": "."},
                "destination": {"name": "in-cluster", "namespace": "kube-system"}
            }
        }));
        let errs: Vec<String> = validate_application_permissions(&bad, &p, "argocd")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            errs,
            vec![
                "spec.source.repoURL: Forbidden: application repo https://github.com/evil/repo.git is not permitted in project 'my-proj'",
                "spec.destination: Forbidden: application destination server 'in-cluster' and namespace 'kube-system' do not match any of the allowed destinations in project 'my-proj'",
                "metadata.namespace: Forbidden: application 'guestbook' in namespace 'team' is not allowed to use project my-proj",
            ]
        );
    }

    #[test]
    fn application_source_shape_rules() {
        let p = project(
            "default",
            serde_json::to_value(default_project_spec()).unwrap(),
        );
        let dest = json!({"server": "https://kubernetes.default.svc", "namespace": "default"});
        let errs = validate_application_permissions(
            &test_app(
                json!({"project": "default", "source": {"repoURL": "https://x"}, "destination": dest}),
            ),
            &p,
            "argocd",
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "spec.source.path");
        assert_eq!(errs[0].error_type, FieldErrorType::Required);
        assert_eq!(
            errs[0].detail,
            "spec.source.repoURL and either spec.source.path or spec.source.chart are required"
        );

        let errs = validate_application_permissions(
            &test_app(
                json!({"project": "default", "source": {"repoURL": "https://charts", "chart": "redis"}, "destination": dest}),
            ),
            &p,
            "argocd",
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "spec.source.targetRevision");
        assert_eq!(
            errs[0].detail,
            "spec.source.targetRevision is required if the manifest source is a helm chart"
        );

        // Multi-source: `ref` alone is enough; each entry gets its own path.
        let multi = test_app(json!({
            "project": "my-proj",
            "sources": [
                {"repoURL": "https://github.com/argoproj/values.git", "ref": "values"},
                {"repoURL": "https://github.com/other/chart.git", "path": "chart"}
            ],
            "destination": dest
        }));
        let errs = validate_application_permissions(&multi, &valid_project(), "argocd");
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].field, "spec.sources[1].repoURL");

        let errs = validate_application_permissions(
            &test_app(
                json!({"project": "default", "source": {"repoURL": "https://x", "path": "."}, "destination": {"namespace": "default"}}),
            ),
            &p,
            "argocd",
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].detail, ERR_DESTINATION_MISSING);
    }

    #[test]
    fn application_hydrator_sources_checked() {
        let hydrated = test_app(json!({
            "project": "my-proj",
            "sourceHydrator": {
                "drySource": {"repoURL": "https://github.com/argoproj/dry.git", "targetRevision": "HEAD", "path": "."},
                "syncSource": {"targetBranch": "env/prod", "path": "prod", "repoURL": "https://github.com/other/hydrated.git"}
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"}
        }));
        let errs = validate_application_permissions(&hydrated, &valid_project(), "argocd");
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].field, "spec.sourceHydrator.syncSource.repoURL");
        assert_eq!(
            errs[0].detail,
            "sync source repo https://github.com/other/hydrated.git is not permitted in project 'my-proj'"
        );
    }

    #[test]
    fn project_update_counts_stranded_apps() {
        let apps = vec![
            test_app(
                json!({"project": "my-proj", "source": {"repoURL": "https://github.com/argoproj/a.git", "path": "."}, "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"}}),
            ),
            test_app(
                json!({"project": "my-proj", "source": {"repoURL": "https://github.com/argoproj/b.git", "path": "."}, "destination": {"server": "https://kubernetes.default.svc", "namespace": "other"}}),
            ),
            test_app(
                json!({"project": "elsewhere", "source": {"repoURL": "https://nowhere/x.git", "path": "."}, "destination": {"server": "https://x", "namespace": "x"}}),
            ),
        ];
        let old = valid_project();
        let mut unchanged = valid_project();
        unchanged
            .spec
            .destinations
            .as_mut()
            .unwrap()
            .push(ApplicationDestination {
                server: Some(IN_CLUSTER_SERVER.into()),
                namespace: Some("other".into()),
                name: None,
            });
        assert_eq!(
            project_update_invalidates(&unchanged, &apps, "argocd"),
            None
        );

        let mut new = unchanged.clone();
        new.spec.source_repos = Some(vec!["https://github.com/argoproj/a".into()]);
        new.spec.destinations.as_mut().unwrap().pop();
        assert_eq!(
            project_update_invalidates(&new, &apps, "argocd").as_deref(),
            Some(
                "as a result of project update 1 applications source became invalid and 1 applications destination became invalid"
            )
        );
        // Against the old spec the second app was already off-destination, so only its source counts.
        assert_eq!(
            project_update_invalidates_since(&old, &new, &apps).as_deref(),
            Some("as a result of project update 1 applications source became invalid")
        );
    }

    #[test]
    fn project_delete_refusals() {
        assert_eq!(
            project_delete_refusal("default", 0).as_deref(),
            Some("name 'default' is reserved and cannot be deleted")
        );
        assert_eq!(
            project_delete_refusal("team", 3).as_deref(),
            Some("project is referenced by 3 applications")
        );
        assert_eq!(project_delete_refusal("team", 0), None);
    }

    #[test]
    fn default_project_permits_everything_it_should() {
        let s = default_project_spec();
        assert!(is_source_permitted(&s, "git@github.com:any/repo.git"));
        assert!(is_destination_permitted(
            &s,
            &server("https://prod.example.com"),
            "any"
        ));
        let in_cluster = resolve_destination(&ApplicationDestination {
            name: Some(IN_CLUSTER_NAME.into()),
            ..Default::default()
        })
        .unwrap();
        assert!(is_destination_permitted(&s, &in_cluster, "any"));
        // A remote cluster known only by name: `server: "*"` matches whatever its URL is (see
        // `resolve_destination`); a specific server pattern cannot be judged and does not.
        assert!(is_destination_permitted(&s, &named("prod"), "any"));
        let specific = AppProjectSpec {
            destinations: Some(vec![ApplicationDestination {
                server: Some("https://prod.example.com".into()),
                namespace: Some("*".into()),
                ..Default::default()
            }]),
            ..Default::default()
        };
        assert!(!is_destination_permitted(&specific, &named("prod"), "any"));
        assert!(is_group_kind_name_permitted(
            &s,
            "",
            "Namespace",
            "x",
            false
        ));
        assert!(is_group_kind_name_permitted(
            &s,
            "apps",
            "Deployment",
            "x",
            true
        ));
        assert!(!is_app_namespace_permitted(&s, "team", "argocd"));
    }
}
