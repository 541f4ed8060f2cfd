//! `meta.k8s.io` Table output, built as kube-apiserver's CRD table convertor builds it
//! (apiextensions-apiserver `pkg/registry/customresource/tableconvertor`): a `Name` column, then
//! the kind's printer columns; `date` cells as human durations, typed cells as JSON values; each
//! row carrying a PartialObjectMetadata, the object, or nothing (`includeObject`).

use argo_apiserver_core::{ApiError, IncludeObject, MetaVersion, TableOptions};
use std::borrow::Cow;
use std::sync::OnceLock;

use argo_openapi::catalog::{CATALOG, PrinterColumn, ResourceDef};
use serde::Serialize;
use serde_json::Value;

use crate::jsonpath::{JsonPath, print_value};

/// `ObjectMeta.name`'s description, which kube gives the `Name` column.
pub const NAME_DESCRIPTION: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

/// `ObjectMeta.creationTimestamp`'s description, used by the default `Age` column.
pub const CREATION_TIMESTAMP_DESCRIPTION: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// `metav1.TableColumnDefinition`: every field always present.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TableColumnDefinition {
    pub name: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub format: String,
    pub description: String,
    pub priority: i32,
}

/// `metav1.ListMeta` as lists and Tables carry it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMeta {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub resource_version: String,
    #[serde(rename = "continue", skip_serializing_if = "Option::is_none")]
    pub continue_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining_item_count: Option<i64>,
}

/// The `ObjectMeta` fields a PartialObjectMetadata keeps, in kube's field order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartialMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_link: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_references: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finalizers: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_fields: Option<Value>,
}

impl PartialMeta {
    /// The kept fields of an object's `metadata`; empty values are dropped (Go's omitempty).
    pub fn from_metadata(metadata: Option<&Value>) -> PartialMeta {
        let Some(Value::Object(m)) = metadata else {
            return PartialMeta::default();
        };
        let get = |k: &str| -> Option<Value> {
            let v = m.get(k)?;
            let empty = match v {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                Value::Number(n) => n.as_i64() == Some(0) && k == "generation",
                Value::Bool(_) => false,
            };
            (!empty).then(|| v.clone())
        };
        PartialMeta {
            name: get("name"),
            generate_name: get("generateName"),
            namespace: get("namespace"),
            self_link: get("selfLink"),
            uid: get("uid"),
            resource_version: get("resourceVersion"),
            generation: get("generation"),
            creation_timestamp: get("creationTimestamp"),
            deletion_timestamp: get("deletionTimestamp"),
            deletion_grace_period_seconds: get("deletionGracePeriodSeconds"),
            labels: get("labels"),
            annotations: get("annotations"),
            owner_references: get("ownerReferences"),
            finalizers: get("finalizers"),
            managed_fields: get("managedFields"),
        }
    }
}

/// `metav1.PartialObjectMetadata`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartialObjectMetadata {
    pub kind: &'static str,
    #[serde(rename = "apiVersion")]
    pub api_version: &'static str,
    pub metadata: PartialMeta,
}

impl PartialObjectMetadata {
    /// The PartialObjectMetadata of a decoded object.
    pub fn of(version: MetaVersion, object: &Value) -> PartialObjectMetadata {
        PartialObjectMetadata {
            kind: "PartialObjectMetadata",
            api_version: version.api_version(),
            metadata: PartialMeta::from_metadata(object.get("metadata")),
        }
    }
}

/// What a row carries in `object`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RowObject {
    Metadata(Box<PartialObjectMetadata>),
    Object(Value),
}

/// `metav1.TableRow`. `object` is a RawExtension in Go, which encodes as `null` when empty.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TableRow {
    pub cells: Vec<Value>,
    pub object: Option<RowObject>,
}

/// `metav1.Table`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Table {
    pub kind: &'static str,
    #[serde(rename = "apiVersion")]
    pub api_version: &'static str,
    pub metadata: ListMeta,
    /// `null` on the watch events after the first (kube's `NoHeaders`).
    #[serde(rename = "columnDefinitions")]
    pub column_definitions: Option<Vec<TableColumnDefinition>>,
    pub rows: Vec<TableRow>,
}

/// A kind's column definitions and their parsed paths.
#[derive(Clone, Debug)]
pub struct TableConvertor {
    columns: Vec<TableColumnDefinition>,
    /// One per printer column (columns[1..]); `None` when the path does not parse, which then
    /// always prints null.
    paths: Vec<Option<JsonPath>>,
}

const DEFAULT_AGE: PrinterColumn = PrinterColumn {
    name: "Age",
    type_: "date",
    format: "",
    description: CREATION_TIMESTAMP_DESCRIPTION,
    json_path: ".metadata.creationTimestamp",
    priority: 0,
};

impl TableConvertor {
    pub fn new(def: &ResourceDef) -> TableConvertor {
        Self::from_columns(def.printer_columns)
    }

    /// The convertor of a catalog kind, built once per kind (watch events ask for it per event).
    pub fn for_kind(def: &ResourceDef) -> Cow<'static, TableConvertor> {
        static CONVERTORS: OnceLock<Vec<TableConvertor>> = OnceLock::new();
        let all = CONVERTORS.get_or_init(|| CATALOG.iter().map(TableConvertor::new).collect());
        match CATALOG.iter().position(|d| d.kind == def.kind) {
            Some(i) if CATALOG[i].printer_columns == def.printer_columns => Cow::Borrowed(&all[i]),
            _ => Cow::Owned(TableConvertor::new(def)),
        }
    }

    /// The CRD convertor over `printer_columns` (only an `Age` column when there are none).
    pub fn from_columns(printer_columns: &[PrinterColumn]) -> TableConvertor {
        let cols: &[PrinterColumn] = if printer_columns.is_empty() {
            &[DEFAULT_AGE]
        } else {
            printer_columns
        };
        let mut columns = Vec::with_capacity(cols.len() + 1);
        columns.push(TableColumnDefinition {
            name: "Name".into(),
            type_: "string".into(),
            format: "name".into(),
            description: NAME_DESCRIPTION.into(),
            priority: 0,
        });
        let mut paths = Vec::with_capacity(cols.len());
        for c in cols {
            paths.push(JsonPath::for_column(c.json_path).ok());
            let description = if c.description.is_empty() {
                format!(
                    "Custom resource definition column (in JSONPath format): {}",
                    c.json_path
                )
            } else {
                c.description.to_string()
            };
            columns.push(TableColumnDefinition {
                name: c.name.into(),
                type_: c.type_.into(),
                format: c.format.into(),
                description,
                priority: c.priority,
            });
        }
        TableConvertor { columns, paths }
    }

    pub fn column_definitions(&self) -> &[TableColumnDefinition] {
        &self.columns
    }

    /// The cells of one decoded object: its name, then each printer column.
    pub fn cells(&self, object: &Value, now: jiff::Timestamp) -> Vec<Value> {
        let mut cells = Vec::with_capacity(self.columns.len());
        let name = object
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("");
        cells.push(Value::String(name.to_string()));
        for (path, col) in self.paths.iter().zip(&self.columns[1..]) {
            let found = path.as_ref().and_then(|p| p.first(object));
            let cell = match found {
                None => Value::Null,
                Some(v) if col.type_ == "string" => Value::String(print_value(&v)),
                Some(v) => cell_for_json_value(&col.type_, &v, now),
            };
            cells.push(cell);
        }
        cells
    }

    /// One row for a decoded object, carrying what `includeObject` asks for.
    pub fn row(
        &self,
        version: MetaVersion,
        opts: &TableOptions,
        object: Value,
        now: jiff::Timestamp,
    ) -> TableRow {
        let cells = self.cells(&object, now);
        let object = match opts.include_object {
            IncludeObject::None => None,
            IncludeObject::Metadata => Some(RowObject::Metadata(Box::new(
                PartialObjectMetadata::of(version, &object),
            ))),
            IncludeObject::Object => Some(RowObject::Object(object)),
        };
        TableRow { cells, object }
    }

    /// The Table of a list: one row per item, in list order.
    pub fn list(
        &self,
        version: MetaVersion,
        opts: &TableOptions,
        items: &[bytes::Bytes],
        list_meta: &ListMeta,
        now: jiff::Timestamp,
    ) -> Result<Table, ApiError> {
        let mut rows = Vec::with_capacity(items.len());
        for item in items {
            rows.push(self.row(version, opts, decode(item)?, now));
        }
        Ok(Table {
            kind: "Table",
            api_version: version.api_version(),
            metadata: list_meta.clone(),
            column_definitions: Some(self.columns.clone()),
            rows,
        })
    }

    /// The one-row Table of a single object (a get, or a watch event). Its metadata carries the
    /// object's resourceVersion. `headers` false gives `columnDefinitions: null`.
    pub fn object(
        &self,
        version: MetaVersion,
        opts: &TableOptions,
        object: Value,
        headers: bool,
        now: jiff::Timestamp,
    ) -> Table {
        let resource_version = object
            .get("metadata")
            .and_then(|m| m.get("resourceVersion"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        Table {
            kind: "Table",
            api_version: version.api_version(),
            metadata: ListMeta {
                resource_version,
                ..ListMeta::default()
            },
            column_definitions: headers.then(|| self.columns.clone()),
            rows: vec![self.row(version, opts, object, now)],
        }
    }
}

/// Decodes one stored object; stored bytes that do not decode are a server fault.
pub(crate) fn decode(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::internal(format!("unable to decode stored object: {e}")))
}

/// The Table of a list (`GET` of a collection).
pub fn table_for_list(
    def: &ResourceDef,
    version: MetaVersion,
    opts: &TableOptions,
    items: &[bytes::Bytes],
    list_meta: &ListMeta,
    now: jiff::Timestamp,
) -> Result<Table, ApiError> {
    TableConvertor::for_kind(def).list(version, opts, items, list_meta, now)
}

/// The Table of one object (`GET` of a name).
pub fn table_for_object(
    def: &ResourceDef,
    version: MetaVersion,
    opts: &TableOptions,
    object: &[u8],
    now: jiff::Timestamp,
) -> Result<Table, ApiError> {
    Ok(TableConvertor::for_kind(def).object(version, opts, decode(object)?, true, now))
}

/// The Table inside one watch event: column definitions on the first event only, `null` after
/// (kubectl get -w keeps the first event's columns).
pub fn table_for_watch_event(
    def: &ResourceDef,
    version: MetaVersion,
    opts: &TableOptions,
    object: &[u8],
    first: bool,
    now: jiff::Timestamp,
) -> Result<Table, ApiError> {
    Ok(TableConvertor::for_kind(def).object(version, opts, decode(object)?, first, now))
}

/// `cellForJSONValue`: a typed cell from a found value; anything that does not fit is null.
fn cell_for_json_value(type_: &str, v: &Value, now: jiff::Timestamp) -> Value {
    match (type_, v) {
        (_, Value::Null) => Value::Null,
        ("integer", Value::Number(n)) => match n.as_i64() {
            Some(i) => Value::from(i),
            // Go converts a float64 with int64(f), which truncates.
            None => Value::from(n.as_f64().unwrap_or(0.0) as i64),
        },
        ("number", Value::Number(n)) => match n.as_i64() {
            // Go's float64 of an integer encodes without a fraction.
            Some(i) => Value::from(i),
            None => {
                let f = n.as_f64().unwrap_or(0.0);
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    Value::from(f as i64)
                } else {
                    Value::from(f)
                }
            }
        },
        ("boolean", Value::Bool(b)) => Value::Bool(*b),
        ("string", Value::String(s)) => Value::String(s.clone()),
        ("date", Value::String(s)) => Value::String(human_date(s, now)),
        _ => Value::Null,
    }
}

/// A `date` cell: `<unknown>` for an empty or zero time, `<invalid>` when unparsable, otherwise
/// the time since it as `duration.HumanDuration` writes it.
pub fn human_date(s: &str, now: jiff::Timestamp) -> String {
    if s.is_empty() || s == "null" {
        return "<unknown>".into();
    }
    let Some(t) = parse_rfc3339_nanos(s) else {
        return "<invalid>".into();
    };
    // Go's zero time, 0001-01-01T00:00:00Z.
    if t == ZERO_TIME_NANOS {
        return "<unknown>".into();
    }
    let d = (now.as_nanosecond() - t).clamp(i64::MIN as i128, i64::MAX as i128) as i64;
    human_duration(d)
}

const ZERO_TIME_NANOS: i128 = -62_135_596_800 * 1_000_000_000;

/// Go's `time.Parse(time.RFC3339, s)`, as nanoseconds since the Unix epoch.
fn parse_rfc3339_nanos(s: &str) -> Option<i128> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut i = 19;
    let mut nanos: i64 = 0;
    if matches!(b[i], b'.' | b',') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &s[start..i];
        let mut scaled = String::from(&digits[..digits.len().min(9)]);
        while scaled.len() < 9 {
            scaled.push('0');
        }
        nanos = scaled.parse().ok()?;
    }
    let offset_secs: i64 = match &b[i..] {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(secs as i128 * 1_000_000_000 + nanos as i128)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `k8s.io/apimachinery/pkg/util/duration.HumanDuration` of a duration in nanoseconds: about
/// two or three significant figures (`5s`, `3m20s`, `15m`, `2h5m`, `10h`, `3d4h`, `20d`, `2y30d`).
pub fn human_duration(d: i64) -> String {
    const SECOND: i64 = 1_000_000_000;
    const MINUTE: i64 = 60 * SECOND;
    const HOUR: i64 = 60 * MINUTE;
    let seconds = d / SECOND;
    if seconds < -1 {
        return "<invalid>".into();
    } else if seconds < 0 {
        return "0s".into();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = d / MINUTE;
    if minutes < 10 {
        let s = (d / SECOND) % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = d / HOUR;
    if hours < 8 {
        let m = (d / MINUTE) % 60;
        if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{}h", hours / 24, h)
        }
    } else if hours < 24 * 365 * 2 {
        format!("{}d", hours / 24)
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{}d", hours / 24 / 365, dy)
        }
    } else {
        format!("{}y", hours / 24 / 365)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argo_openapi::catalog::by_kind;
    use serde_json::json;

    const S: i64 = 1_000_000_000;

    fn now() -> jiff::Timestamp {
        "2026-01-10T12:00:00Z".parse().unwrap()
    }

    fn app(name: &str, created: &str, sync: Option<&str>) -> Value {
        let mut v = json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd", "uid": "u-1", "resourceVersion": "42",
                         "creationTimestamp": created, "labels": {"team": "a"}, "generation": 3},
            "spec": {"project": "default"},
        });
        if let Some(s) = sync {
            v["status"] = json!({"sync": {"status": s, "revision": "abc123"}, "health": {"status": "Healthy"}});
        }
        v
    }

    #[test]
    fn human_duration_boundaries() {
        let cases: &[(i64, &str)] = &[
            (-2 * S, "<invalid>"),
            (-S - 1, "0s"),
            (-1, "0s"),
            (0, "0s"),
            (S, "1s"),
            (119 * S, "119s"),
            (120 * S, "2m"),
            (200 * S, "3m20s"),
            (599 * S, "9m59s"),
            (600 * S, "10m"),
            (179 * 60 * S, "179m"),
            (180 * 60 * S, "3h"),
            ((3 * 3600 + 5 * 60) * S, "3h5m"),
            ((7 * 3600 + 59 * 60) * S, "7h59m"),
            (8 * 3600 * S, "8h"),
            (47 * 3600 * S, "47h"),
            (48 * 3600 * S, "2d"),
            ((3 * 24 + 4) * 3600 * S, "3d4h"),
            ((8 * 24 - 1) * 3600 * S, "7d23h"),
            (8 * 24 * 3600 * S, "8d"),
            ((2 * 365 * 24 - 1) * 3600 * S, "729d"),
            (2 * 365 * 24 * 3600 * S, "2y"),
            ((2 * 365 + 30) * 24 * 3600 * S, "2y30d"),
            ((8 * 365 * 24 - 1) * 3600 * S, "7y364d"),
            (8 * 365 * 24 * 3600 * S, "8y"),
        ];
        for (d, want) in cases {
            assert_eq!(human_duration(*d), *want, "{d}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(human_date("2026-01-10T11:59:55Z", now()), "5s");
        assert_eq!(human_date("2026-01-10T11:56:40Z", now()), "3m20s");
        assert_eq!(human_date("2026-01-10T13:56:40+02:00", now()), "3m20s");
        assert_eq!(human_date("2026-01-10T11:59:54.5Z", now()), "5s");
        assert_eq!(human_date("2026-01-10T12:00:01Z", now()), "0s");
        assert_eq!(human_date("2026-01-10T12:00:05Z", now()), "<invalid>");
        assert_eq!(human_date("", now()), "<unknown>");
        assert_eq!(human_date("0001-01-01T00:00:00Z", now()), "<unknown>");
        for bad in [
            "yesterday",
            "2026-01-10 11:59:55Z",
            "2026-02-30T00:00:00Z",
            "2026-01-10T11:59:55",
            "2026-01-10T25:00:00Z",
        ] {
            assert_eq!(human_date(bad, now()), "<invalid>", "{bad}");
        }
        // Leap days count: under two years is days; years are 365 days each.
        assert_eq!(human_date("2024-02-29T12:00:00Z", now()), "681d");
        assert_eq!(human_date("2023-01-10T12:00:00Z", now()), "3y1d");
    }

    #[test]
    fn application_columns_and_cells() {
        let def = by_kind("Application").unwrap();
        let c = TableConvertor::new(def);
        let cols = serde_json::to_value(c.column_definitions()).unwrap();
        assert_eq!(
            cols[0],
            json!({"name": "Name", "type": "string", "format": "name", "description": NAME_DESCRIPTION, "priority": 0})
        );
        assert_eq!(
            cols[1],
            json!({"name": "Sync Status", "type": "string", "format": "",
                   "description": "Custom resource definition column (in JSONPath format): .status.sync.status", "priority": 0})
        );
        assert_eq!(cols[3]["name"], "Revision");
        assert_eq!(cols[3]["priority"], 10);
        let names: Vec<&str> = c
            .column_definitions()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Name",
                "Sync Status",
                "Health Status",
                "Revision",
                "Project",
                "Age"
            ]
        );
        assert_eq!(
            c.cells(
                &app("guestbook", "2026-01-10T11:55:00Z", Some("Synced")),
                now()
            ),
            vec![
                json!("guestbook"),
                json!("Synced"),
                json!("Healthy"),
                json!("abc123"),
                json!("default"),
                json!("5m")
            ]
        );
        // Missing status: null cells.
        assert_eq!(
            c.cells(&app("g", "2026-01-10T11:55:00Z", None), now()),
            vec![
                json!("g"),
                Value::Null,
                Value::Null,
                Value::Null,
                json!("default"),
                json!("5m")
            ]
        );
    }

    #[test]
    fn typed_cells() {
        let def = by_kind("Rollout").unwrap();
        let c = TableConvertor::new(def);
        let ro = json!({"metadata": {"name": "r", "creationTimestamp": "bad"},
                        "spec": {"replicas": 3}, "status": {"replicas": 2.0, "updatedReplicas": "x"}});
        assert_eq!(
            c.cells(&ro, now()),
            vec![
                json!("r"),
                json!(3),
                json!(2),
                Value::Null,
                Value::Null,
                json!("<invalid>")
            ]
        );
        assert_eq!(
            c.column_definitions()[1].description,
            "Number of desired pods"
        );
        let typed = TableConvertor::from_columns(&[
            PrinterColumn {
                name: "N",
                type_: "number",
                format: "",
                description: "",
                json_path: ".n",
                priority: 0,
            },
            PrinterColumn {
                name: "B",
                type_: "boolean",
                format: "",
                description: "",
                json_path: ".b",
                priority: 0,
            },
            PrinterColumn {
                name: "S",
                type_: "string",
                format: "",
                description: "",
                json_path: ".s",
                priority: 0,
            },
            PrinterColumn {
                name: "O",
                type_: "string",
                format: "",
                description: "",
                json_path: ".o",
                priority: 0,
            },
        ]);
        let v = json!({"n": 1.5, "b": true, "s": 7, "o": {"k": [1]}});
        assert_eq!(
            typed.cells(&v, now()),
            vec![
                json!(""),
                json!(1.5),
                json!(true),
                json!("7"),
                json!("{\"k\":[1]}")
            ]
        );
        let v = json!({"n": "1", "b": "true", "s": null});
        assert_eq!(
            typed.cells(&v, now()),
            vec![
                json!(""),
                Value::Null,
                Value::Null,
                json!("<no value>"),
                Value::Null
            ]
        );
    }

    #[test]
    fn default_age_column_when_none_declared() {
        let c = TableConvertor::from_columns(&[]);
        let cols = c.column_definitions();
        assert_eq!(cols.len(), 2);
        assert_eq!(cols[1].name, "Age");
        assert_eq!(cols[1].type_, "date");
        assert_eq!(cols[1].description, CREATION_TIMESTAMP_DESCRIPTION);
    }

    #[test]
    fn list_table_shape() {
        let def = by_kind("Application").unwrap();
        let items = vec![
            bytes::Bytes::from(app("a", "2026-01-10T11:59:00Z", Some("Synced")).to_string()),
            bytes::Bytes::from(app("b", "2026-01-10T11:59:00Z", Some("OutOfSync")).to_string()),
        ];
        let lm = ListMeta {
            resource_version: "12345".into(),
            continue_: Some("tok".into()),
            remaining_item_count: Some(3),
        };
        let t = table_for_list(
            def,
            MetaVersion::V1,
            &TableOptions::default(),
            &items,
            &lm,
            now(),
        )
        .unwrap();
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["kind"], "Table");
        assert_eq!(v["apiVersion"], "meta.k8s.io/v1");
        assert_eq!(
            v["metadata"],
            json!({"resourceVersion": "12345", "continue": "tok", "remainingItemCount": 3})
        );
        assert_eq!(v["columnDefinitions"].as_array().unwrap().len(), 6);
        assert_eq!(
            v["rows"][0]["cells"],
            json!(["a", "Synced", "Healthy", "abc123", "default", "60s"])
        );
        assert_eq!(v["rows"][1]["cells"][0], "b");
        assert_eq!(
            v["rows"][0]["object"],
            json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                   "metadata": {"name": "a", "namespace": "argocd", "uid": "u-1", "resourceVersion": "42",
                                "generation": 3, "creationTimestamp": "2026-01-10T11:59:00Z", "labels": {"team": "a"}}})
        );
        // kube's field order: kind, apiVersion, metadata, columnDefinitions, rows.
        let s = serde_json::to_string(&t).unwrap();
        assert!(s.starts_with(r#"{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"12345","continue":"tok","remainingItemCount":3},"columnDefinitions":[{"name":"Name","type":"string","format":"name","#));
        let empty = table_for_list(
            def,
            MetaVersion::V1beta1,
            &TableOptions::default(),
            &[],
            &ListMeta::default(),
            now(),
        )
        .unwrap();
        assert_eq!(serde_json::to_value(&empty).unwrap()["rows"], json!([]));
        assert_eq!(empty.api_version, "meta.k8s.io/v1beta1");
        assert_eq!(serde_json::to_value(&empty).unwrap()["metadata"], json!({}));
    }

    #[test]
    fn include_object_and_watch_headers() {
        let def = by_kind("Application").unwrap();
        let obj = app("a", "2026-01-10T11:59:00Z", Some("Synced")).to_string();
        let opts = |i| TableOptions { include_object: i };
        let t = table_for_object(
            def,
            MetaVersion::V1,
            &opts(IncludeObject::Object),
            obj.as_bytes(),
            now(),
        )
        .unwrap();
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["metadata"], json!({"resourceVersion": "42"}));
        assert_eq!(v["rows"][0]["object"]["spec"]["project"], "default");
        assert_eq!(v["rows"][0]["object"]["kind"], "Application");
        let t = table_for_object(
            def,
            MetaVersion::V1,
            &opts(IncludeObject::None),
            obj.as_bytes(),
            now(),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&t).unwrap()["rows"][0]["object"],
            Value::Null
        );
        let first = table_for_watch_event(
            def,
            MetaVersion::V1,
            &opts(IncludeObject::Metadata),
            obj.as_bytes(),
            true,
            now(),
        )
        .unwrap();
        let later = table_for_watch_event(
            def,
            MetaVersion::V1,
            &opts(IncludeObject::Metadata),
            obj.as_bytes(),
            false,
            now(),
        )
        .unwrap();
        assert!(first.column_definitions.is_some());
        let later = serde_json::to_value(&later).unwrap();
        assert_eq!(later["columnDefinitions"], Value::Null);
        assert_eq!(later["rows"].as_array().unwrap().len(), 1);
        assert!(
            table_for_object(
                def,
                MetaVersion::V1,
                &opts(IncludeObject::Metadata),
                b"{bad",
                now()
            )
            .is_err()
        );
    }
}
