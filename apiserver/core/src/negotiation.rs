//! Content negotiation as kube-apiserver does it for custom resources
//! (`pkg/endpoints/handlers/negotiation`, `github.com/munnerz/goautoneg`): the Accept header
//! picks the encoding (JSON or YAML) and, through its `as`/`g`/`v` parameters, a transformed
//! output (Table, PartialObjectMetadata(List), aggregated discovery). Protobuf is never offered,
//! so protobuf clauses fall through to the next one.

use std::collections::BTreeMap;

use crate::params::Query;
use crate::status::ApiError;

/// The encoding of a response or request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Yaml => "application/yaml",
        }
    }
}

/// `meta.k8s.io` version of a transformed output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetaVersion {
    V1,
    V1beta1,
}

impl MetaVersion {
    /// `meta.k8s.io/v1` or `meta.k8s.io/v1beta1`, the apiVersion of the output.
    pub fn api_version(self) -> &'static str {
        match self {
            MetaVersion::V1 => "meta.k8s.io/v1",
            MetaVersion::V1beta1 => "meta.k8s.io/v1beta1",
        }
    }
}

/// `apidiscovery.k8s.io` version of aggregated discovery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiscoveryVersion {
    V2,
    V2beta1,
}

impl DiscoveryVersion {
    pub fn api_version(self) -> &'static str {
        match self {
            DiscoveryVersion::V2 => "apidiscovery.k8s.io/v2",
            DiscoveryVersion::V2beta1 => "apidiscovery.k8s.io/v2beta1",
        }
    }
}

/// What to send back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// The object, list, watch event or legacy discovery document as it is.
    Object,
    Table(MetaVersion),
    PartialObjectMetadata(MetaVersion),
    PartialObjectMetadataList(MetaVersion),
    /// `APIGroupDiscoveryList` (only from [`negotiate_discovery`]).
    AggregatedDiscovery(DiscoveryVersion),
}

/// The outcome of negotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Negotiated {
    pub output: Output,
    pub format: Format,
    /// Indent the body: `pretty=1` in the Accept clause, or the `pretty` hint the caller passed
    /// (see [`is_pretty_print`]). Always false for watch.
    pub pretty: bool,
}

impl Negotiated {
    /// The response Content-Type: plain `application/json` (never a charset, kubectl 1.27.0
    /// compares it exactly) or `application/yaml`; aggregated discovery names its GVK exactly.
    pub fn content_type(&self) -> String {
        match self.output {
            Output::AggregatedDiscovery(v) => format!(
                "application/json;g=apidiscovery.k8s.io;v={};as=APIGroupDiscoveryList",
                match v {
                    DiscoveryVersion::V2 => "v2",
                    DiscoveryVersion::V2beta1 => "v2beta1",
                }
            ),
            _ => self.format.media_type().to_string(),
        }
    }
}

/// One clause of an Accept header (a media range, its quality and its other parameters).
#[derive(Clone, Debug, PartialEq)]
pub struct AcceptClause {
    pub typ: String,
    pub sub: String,
    pub q: f64,
    pub params: BTreeMap<String, String>,
}

type Clause = AcceptClause;

/// Up to this many elements Go's sort.Sort is an insertion sort.
const GO_INSERTION_SORT_MAX: usize = 12;

/// The clauses of an Accept header in goautoneg's order (see [`parse_accept`]); an absent or
/// empty header means `*/*`. For endpoints with their own media types (OpenAPI).
pub fn accept_clauses(header: Option<&str>) -> Vec<AcceptClause> {
    match header {
        Some(h) if !h.is_empty() => parse_accept(h),
        _ => parse_accept("*/*"),
    }
}

/// `goautoneg.ParseAccept`: clauses, then Go's sort by quality (specific types before
/// wildcards). Go sorts up to 12 elements with an insertion sort, which keeps the client's order
/// among equals; this does the same with the same comparison. Longer headers (only a hostile
/// client sends them; Go's order there is its pdqsort's) are sorted stably by the same criteria
/// as a total order, so a header of thousands of clauses costs O(n log n), not O(n²).
fn parse_accept(header: &str) -> Vec<Clause> {
    let mut out: Vec<Clause> = Vec::new();
    for part in header.split(',') {
        let mut pieces = part.split(';');
        let range = pieces.next().unwrap_or("");
        let sp: Vec<&str> = range.split('/').collect();
        let typ = sp[0].trim_matches(' ');
        let (typ, sub) = match sp.as_slice() {
            [_] if typ == "*" => ("*".to_string(), "*".to_string()),
            [_, sub] => (typ.to_string(), sub.trim_matches(' ').to_string()),
            _ => continue,
        };
        let mut c = Clause {
            typ,
            sub,
            q: 1.0,
            params: BTreeMap::new(),
        };
        for p in pieces {
            let Some((k, v)) = p.split_once('=') else {
                continue;
            };
            let k = k.trim_matches(' ');
            if k == "q" {
                // Go ignores the parse error and keeps 0.
                c.q = v.parse::<f32>().map(f64::from).unwrap_or(0.0);
            } else {
                c.params
                    .insert(k.to_string(), v.trim_matches(' ').to_string());
            }
        }
        out.push(c);
    }
    if out.len() > GO_INSERTION_SORT_MAX {
        out.sort_by(|a, b| {
            b.q.total_cmp(&a.q)
                .then((a.typ == "*").cmp(&(b.typ == "*")))
                .then((a.sub == "*").cmp(&(b.sub == "*")))
        });
        return out;
    }
    let less = |a: &Clause, b: &Clause| {
        a.q > b.q || (a.typ != "*" && b.typ == "*") || (a.sub != "*" && b.sub == "*")
    };
    for i in 1..out.len() {
        let mut j = i;
        while j > 0 && less(&out[j], &out[j - 1]) {
            out.swap(j, j - 1);
            j -= 1;
        }
    }
    out
}

/// The conversion target named by `as`/`g`/`v`, if any of them was given.
#[derive(Default)]
struct Target<'a> {
    kind: &'a str,
    group: &'a str,
    version: &'a str,
}

/// What an endpoint can produce.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    /// Objects, lists, watches: the resource itself, Table, PartialObjectMetadata(List).
    Resource,
    /// `/apis`: aggregated discovery only (the legacy form is negotiated separately).
    AggregatedDiscovery,
    /// Legacy discovery documents: no transforms.
    LegacyDiscovery,
}

/// `acceptMediaTypeOptions` + the endpoint's `AllowsMediaTypeTransform`/`AllowsStreamSchema`.
fn accept_clause(c: &Clause, format: Format, endpoint: Endpoint) -> Option<Negotiated> {
    let mut target: Option<Target<'_>> = None;
    let mut pretty = false;
    for (k, v) in &c.params {
        match k.as_str() {
            "as" => target.get_or_insert_with(Target::default).kind = v,
            "g" => target.get_or_insert_with(Target::default).group = v,
            "v" => target.get_or_insert_with(Target::default).version = v,
            // Only JSON has a stream framing here, and only for watch.
            "stream" if !v.is_empty() && (format != Format::Json || v != "watch") => return None,
            "pretty" => pretty = v == "1",
            _ => {}
        }
    }
    let output = match (endpoint, target) {
        (Endpoint::AggregatedDiscovery, Some(t))
            if t.group == "apidiscovery.k8s.io"
                && t.kind == "APIGroupDiscoveryList"
                && format == Format::Json =>
        {
            match t.version {
                "v2" => Output::AggregatedDiscovery(DiscoveryVersion::V2),
                "v2beta1" => Output::AggregatedDiscovery(DiscoveryVersion::V2beta1),
                _ => return None,
            }
        }
        (Endpoint::AggregatedDiscovery, _) => return None,
        (Endpoint::LegacyDiscovery, None) | (Endpoint::Resource, None) => Output::Object,
        (Endpoint::LegacyDiscovery, Some(_)) => return None,
        (Endpoint::Resource, Some(t)) => {
            if t.group != "meta.k8s.io" {
                return None;
            }
            let v = match t.version {
                "v1" => MetaVersion::V1,
                "v1beta1" => MetaVersion::V1beta1,
                _ => return None,
            };
            match t.kind {
                "Table" => Output::Table(v),
                "PartialObjectMetadata" => Output::PartialObjectMetadata(v),
                "PartialObjectMetadataList" => Output::PartialObjectMetadataList(v),
                _ => return None,
            }
        }
    };
    Some(Negotiated {
        output,
        format,
        pretty,
    })
}

fn format_type(f: Format) -> (&'static str, &'static str) {
    match f {
        Format::Json => ("application", "json"),
        Format::Yaml => ("application", "yaml"),
    }
}

/// How specifically a clause names a format: 2 exact, 1 `type/*`, 0 `*/*`, -1 not at all.
fn specificity(c: &Clause, f: Format) -> i32 {
    let (typ, sub) = format_type(f);
    if c.typ == typ && c.sub == sub {
        2
    } else if c.typ == typ && c.sub == "*" {
        1
    } else if c.typ == "*" && c.sub == "*" {
        0
    } else {
        -1
    }
}

/// `NegotiateMediaTypeOptions`: the first clause (in sorted order) that one of `formats`
/// satisfies. An empty header takes the first format. `q=0` means "not acceptable": such a
/// clause never matches, and a format whose most specific clause has `q=0` is refused even
/// through a wildcard (kube's `rejectedMediaTypes`).
fn negotiate(accept: Option<&str>, formats: &[Format], endpoint: Endpoint) -> Option<Negotiated> {
    let header = accept.unwrap_or("");
    if header.is_empty() {
        return match endpoint {
            Endpoint::AggregatedDiscovery => None,
            _ => Some(Negotiated {
                output: Output::Object,
                format: formats[0],
                pretty: false,
            }),
        };
    }
    let clauses = parse_accept(header);
    let rejected: Vec<bool> = formats
        .iter()
        .map(|&f| {
            let mut best = -1;
            let mut rejected = false;
            for c in &clauses {
                let spec = specificity(c, f);
                if spec > best {
                    best = spec;
                    rejected = c.q <= 0.0;
                }
            }
            rejected
        })
        .collect();
    for c in &clauses {
        if c.q <= 0.0 {
            continue;
        }
        for (i, &f) in formats.iter().enumerate() {
            if rejected[i] || specificity(c, f) < 0 {
                continue;
            }
            if let Some(n) = accept_clause(c, f, endpoint) {
                return Some(n);
            }
        }
    }
    None
}

const RESOURCE_FORMATS: [Format; 2] = [Format::Json, Format::Yaml];
const RESOURCE_MEDIA_TYPES: [&str; 2] = ["application/json", "application/yaml"];

fn with_pretty(mut n: Negotiated, pretty: bool) -> Negotiated {
    n.pretty |= pretty;
    n
}

/// GET/create/update/patch/delete of one object. `pretty` is the request's pretty hint
/// ([`is_pretty_print`]). A PartialObjectMetadataList request is kube's 406 (the object is not a
/// list); an unsatisfiable Accept is 406 `only the following media types are accepted: ...`.
pub fn negotiate_object(accept: Option<&str>, pretty: bool) -> Result<Negotiated, ApiError> {
    let n = negotiate(accept, &RESOURCE_FORMATS, Endpoint::Resource)
        .ok_or_else(|| ApiError::not_acceptable(&RESOURCE_MEDIA_TYPES))?;
    if let Output::PartialObjectMetadataList(_) = n.output {
        return Err(ApiError::not_acceptable_message(
            "you requested PartialObjectMetadataList, but the requested object is not a list (*unstructured.Unstructured)",
        ));
    }
    Ok(with_pretty(n, pretty))
}

/// List and deletecollection. Asking for the single-object PartialObjectMetadata is kube's 406.
pub fn negotiate_list(accept: Option<&str>, pretty: bool) -> Result<Negotiated, ApiError> {
    let n = negotiate(accept, &RESOURCE_FORMATS, Endpoint::Resource)
        .ok_or_else(|| ApiError::not_acceptable(&RESOURCE_MEDIA_TYPES))?;
    if let Output::PartialObjectMetadata(_) = n.output {
        return Err(ApiError::not_acceptable_message(
            "you requested PartialObjectMetadata, but the requested object is a list (*unstructured.UnstructuredList)",
        ));
    }
    Ok(with_pretty(n, pretty))
}

/// Watch: JSON only (newline-delimited events, never pretty); each event's object may be a
/// Table or a PartialObjectMetadata. The list form of PartialObjectMetadata is refused up front
/// (kube would fail on the first event).
pub fn negotiate_watch(accept: Option<&str>) -> Result<Negotiated, ApiError> {
    let n = negotiate(accept, &[Format::Json], Endpoint::Resource)
        .ok_or_else(|| ApiError::not_acceptable(&["application/json"]))?;
    if let Output::PartialObjectMetadataList(_) = n.output {
        return Err(ApiError::not_acceptable_message(
            "you requested PartialObjectMetadataList, but the requested object is not a list (*unstructured.Unstructured)",
        ));
    }
    Ok(n)
}

/// `/apis` (and `/api`): aggregated discovery when a clause names
/// `g=apidiscovery.k8s.io;v=v2|v2beta1;as=APIGroupDiscoveryList` (the first such clause in
/// Accept order wins), otherwise the legacy document as [`negotiate_legacy_discovery`] decides.
pub fn negotiate_discovery(accept: Option<&str>, pretty: bool) -> Result<Negotiated, ApiError> {
    match negotiate(accept, &[Format::Json], Endpoint::AggregatedDiscovery) {
        Some(n) => Ok(with_pretty(n, pretty)),
        None => negotiate_legacy_discovery(accept, pretty),
    }
}

/// Legacy discovery documents (`APIGroupList`, `APIGroup`, `APIResourceList`): JSON or YAML,
/// no transforms; 406 otherwise.
pub fn negotiate_legacy_discovery(
    accept: Option<&str>,
    pretty: bool,
) -> Result<Negotiated, ApiError> {
    negotiate(accept, &RESOURCE_FORMATS, Endpoint::LegacyDiscovery)
        .map(|n| with_pretty(n, pretty))
        .ok_or_else(|| ApiError::not_acceptable(&RESOURCE_MEDIA_TYPES))
}

/// kube's `isPrettyPrint`: `?pretty=<bool>` when given and non-empty, else a browser or CLI
/// User-Agent (`curl`, `Wget`, `Mozilla/5.0`).
pub fn is_pretty_print(query: &Query, user_agent: Option<&str>) -> bool {
    if let Some(p) = query.get("pretty").filter(|p| !p.is_empty()) {
        // strconv.ParseBool; anything unparsable is false.
        return matches!(p, "1" | "t" | "T" | "TRUE" | "true" | "True");
    }
    let ua = user_agent.unwrap_or("");
    ua.starts_with("curl") || ua.starts_with("Wget") || ua.starts_with("Mozilla/5.0")
}

/// The format of a request body (create, update, delete options) from its Content-Type:
/// JSON when absent; parameters ignored; anything but JSON or YAML is kube's 415.
pub fn request_body_format(content_type: Option<&str>) -> Result<Format, ApiError> {
    let ct = content_type.unwrap_or("");
    if ct.trim().is_empty() {
        return Ok(Format::Json);
    }
    let base = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match base.as_str() {
        "application/json" => Ok(Format::Json),
        "application/yaml" => Ok(Format::Yaml),
        _ => Err(ApiError::unsupported_media_type(&RESOURCE_MEDIA_TYPES)),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn long_accept_headers_sort_by_quality() {
        // Ascending qualities: the worst case of an insertion sort.
        let header: Vec<String> = (0..50_000)
            .map(|i| format!("application/x{i};q=0.{i:05}"))
            .chain(["*/*;q=1".to_string()])
            .collect();
        let clauses = accept_clauses(Some(&header.join(",")));
        assert_eq!(clauses.len(), 50_001);
        assert_eq!(clauses[0].typ, "*");
        assert!(clauses.windows(2).all(|w| w[0].q >= w[1].q));
        // Equal qualities keep the client's order; specific types precede wildcards.
        let c = accept_clauses(Some(
            &(0..20)
                .map(|i| {
                    if i == 3 {
                        "*/*".into()
                    } else {
                        format!("a/b{i}")
                    }
                })
                .collect::<Vec<_>>()
                .join(","),
        ));
        let subs: Vec<&str> = c.iter().map(|c| c.sub.as_str()).collect();
        assert_eq!(subs[0], "b0");
        assert_eq!(subs[18], "b19");
        assert_eq!(subs[19], "*");
    }

    use super::*;

    const KUBECTL_GET: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    const METADATA_LIST: &str = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
    const DISCOVERY_133: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
    const DISCOVERY_127: &str = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    fn obj(accept: &str) -> Result<Negotiated, ApiError> {
        negotiate_object(Some(accept), false)
    }

    #[test]
    fn plain_json_and_yaml() {
        for a in [
            "",
            "*/*",
            "application/json",
            "application/*",
            "application/json;charset=utf-8",
        ] {
            let n = obj(a).unwrap();
            assert_eq!((n.output, n.format), (Output::Object, Format::Json), "{a}");
            assert_eq!(n.content_type(), "application/json");
        }
        assert_eq!(negotiate_object(None, false).unwrap().format, Format::Json);
        let n = obj("application/yaml").unwrap();
        assert_eq!(n.format, Format::Yaml);
        assert_eq!(n.content_type(), "application/yaml");
        // Protobuf is skipped in favour of the next clause.
        assert_eq!(
            obj("application/vnd.kubernetes.protobuf, application/json")
                .unwrap()
                .format,
            Format::Json
        );
        // Client order wins among equal qualities; q reorders.
        assert_eq!(
            obj("application/yaml, application/json").unwrap().format,
            Format::Yaml
        );
        assert_eq!(
            obj("application/yaml;q=0.5, application/json")
                .unwrap()
                .format,
            Format::Json
        );
        // Specific types sort before wildcards of the same quality.
        assert_eq!(obj("*/*, application/yaml").unwrap().format, Format::Yaml);
        // q=0 refuses a type, even when a wildcard would admit it.
        assert_eq!(
            obj("application/json;q=0, */*").unwrap().format,
            Format::Yaml
        );
        assert_eq!(obj("application/json;q=0").unwrap_err().code(), 406);
        // An unparsable q counts as 0, as Go's ParseFloat error leaves it.
        assert_eq!(
            obj("application/json;q=x, application/yaml;q=0.1")
                .unwrap()
                .format,
            Format::Yaml
        );
    }

    #[test]
    fn not_acceptable() {
        let e = obj("text/html").unwrap_err();
        assert_eq!(e.code(), 406);
        assert_eq!(e.reason(), "NotAcceptable");
        assert_eq!(
            e.status.message,
            "only the following media types are accepted: application/json, application/yaml"
        );
        assert_eq!(
            obj("application/vnd.kubernetes.protobuf")
                .unwrap_err()
                .code(),
            406
        );
        // A conversion to an unknown kind is not satisfiable either.
        assert_eq!(
            obj("application/json;as=Foo;g=meta.k8s.io;v=v1")
                .unwrap_err()
                .code(),
            406
        );
        assert_eq!(
            obj("application/json;as=Table;g=meta.k8s.io;v=v2")
                .unwrap_err()
                .code(),
            406
        );
        assert_eq!(
            obj("application/json;stream=other").unwrap_err().code(),
            406
        );
        assert_eq!(
            obj("application/json;stream=watch").unwrap().output,
            Output::Object
        );
    }

    #[test]
    fn kubectl_get_asks_for_table() {
        let n = negotiate_list(Some(KUBECTL_GET), false).unwrap();
        assert_eq!(n.output, Output::Table(MetaVersion::V1));
        assert_eq!(n.format, Format::Json);
        assert_eq!(n.content_type(), "application/json");
        let n = obj("application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json").unwrap();
        assert_eq!(n.output, Output::Table(MetaVersion::V1beta1));
        assert_eq!(MetaVersion::V1beta1.api_version(), "meta.k8s.io/v1beta1");
        let n = obj("application/yaml;as=Table;v=v1;g=meta.k8s.io").unwrap();
        assert_eq!(
            (n.output, n.format),
            (Output::Table(MetaVersion::V1), Format::Yaml)
        );
        let w = negotiate_watch(Some(KUBECTL_GET)).unwrap();
        assert_eq!(w.output, Output::Table(MetaVersion::V1));
    }

    #[test]
    fn partial_object_metadata_forms() {
        let n = negotiate_list(Some(METADATA_LIST), false).unwrap();
        assert_eq!(n.output, Output::PartialObjectMetadataList(MetaVersion::V1));
        assert_eq!(n.format, Format::Json);
        let e = negotiate_object(Some(METADATA_LIST), false).unwrap_err();
        assert_eq!(e.code(), 406);
        assert_eq!(
            e.status.message,
            "you requested PartialObjectMetadataList, but the requested object is not a list (*unstructured.Unstructured)"
        );
        let single =
            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
        assert_eq!(
            obj(single).unwrap().output,
            Output::PartialObjectMetadata(MetaVersion::V1)
        );
        assert_eq!(
            negotiate_watch(Some(single)).unwrap().output,
            Output::PartialObjectMetadata(MetaVersion::V1)
        );
        let e = negotiate_list(Some(single), false).unwrap_err();
        assert_eq!(e.code(), 406);
        assert_eq!(
            e.status.message,
            "you requested PartialObjectMetadata, but the requested object is a list (*unstructured.UnstructuredList)"
        );
        assert_eq!(
            negotiate_watch(Some(METADATA_LIST)).unwrap_err().code(),
            406
        );
    }

    #[test]
    fn watch_is_json_only_and_never_pretty() {
        let n = negotiate_watch(Some("application/yaml, application/json")).unwrap();
        assert_eq!(n.format, Format::Json);
        assert!(!n.pretty);
        let e = negotiate_watch(Some("application/yaml")).unwrap_err();
        assert_eq!(
            e.status.message,
            "only the following media types are accepted: application/json"
        );
        assert_eq!(negotiate_watch(None).unwrap().format, Format::Json);
    }

    #[test]
    fn aggregated_discovery() {
        let n = negotiate_discovery(Some(DISCOVERY_133), false).unwrap();
        assert_eq!(n.output, Output::AggregatedDiscovery(DiscoveryVersion::V2));
        assert_eq!(
            n.content_type(),
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
        );
        let n = negotiate_discovery(Some(DISCOVERY_127), false).unwrap();
        assert_eq!(
            n.output,
            Output::AggregatedDiscovery(DiscoveryVersion::V2beta1)
        );
        assert_eq!(
            n.content_type(),
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
        );
        assert_eq!(DiscoveryVersion::V2.api_version(), "apidiscovery.k8s.io/v2");
        // Plain JSON (or nothing) is the legacy document.
        for a in [None, Some("application/json"), Some("*/*")] {
            let n = negotiate_discovery(a, false).unwrap();
            assert_eq!(
                (n.output, n.content_type().as_str()),
                (Output::Object, "application/json")
            );
        }
        // Wrong parameters do not select the aggregated form.
        let n = negotiate_discovery(Some("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json"), false).unwrap();
        assert_eq!(n.output, Output::Object);
        assert_eq!(
            negotiate_discovery(Some("text/plain"), false)
                .unwrap_err()
                .code(),
            406
        );
        // The legacy endpoints refuse transforms.
        assert_eq!(
            negotiate_legacy_discovery(Some(KUBECTL_GET), false)
                .unwrap()
                .output,
            Output::Object
        );
        assert_eq!(
            negotiate_legacy_discovery(Some("application/json;as=Table;v=v1;g=meta.k8s.io"), false)
                .unwrap_err()
                .code(),
            406
        );
    }

    #[test]
    fn pretty_rules() {
        let q = |s: &str| Query::parse(s);
        assert!(is_pretty_print(&q("pretty=true"), None));
        assert!(is_pretty_print(&q("pretty=1"), Some("kubectl/v1.33")));
        assert!(!is_pretty_print(&q("pretty=false"), Some("curl/8.0")));
        assert!(!is_pretty_print(&q("pretty=yes"), None));
        assert!(is_pretty_print(&q("pretty="), Some("curl/8.0")));
        assert!(is_pretty_print(&q(""), Some("Mozilla/5.0 (X11)")));
        assert!(is_pretty_print(&q(""), Some("Wget/1.21")));
        assert!(!is_pretty_print(&q(""), Some("kubectl/v1.33.0")));
        assert!(!is_pretty_print(&q(""), None));
        assert!(
            negotiate_object(Some("application/json"), true)
                .unwrap()
                .pretty
        );
        assert!(obj("application/json;pretty=1").unwrap().pretty);
        assert!(!obj("application/json").unwrap().pretty);
    }

    #[test]
    fn request_body_formats() {
        assert_eq!(request_body_format(None).unwrap(), Format::Json);
        assert_eq!(
            request_body_format(Some("application/json; charset=utf-8")).unwrap(),
            Format::Json
        );
        assert_eq!(
            request_body_format(Some("Application/YAML")).unwrap(),
            Format::Yaml
        );
        let e = request_body_format(Some("application/x-www-form-urlencoded")).unwrap_err();
        assert_eq!(e.code(), 415);
        assert_eq!(
            e.status.message,
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"
        );
    }
}
