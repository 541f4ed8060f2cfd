//! `/openapi/v2` as protobuf: the Swagger 2.0 document encoded as gnostic's `openapi.v2.Document`.
//!
//! client-go's `OpenAPISchema()` asks for `/openapi/v2` only in this encoding, and kubectl 1.27–1.33
//! build `explain` (v2 output, and 1.27's eager load), client-side validation and apply's
//! patch-type fallback on it. kube-openapi produces it from the JSON document the same way: every
//! Swagger object becomes its message, free-form values (`default`, `enum`, `example`, `x-*`
//! extensions) become `Any` holding the value as YAML text.

pub mod messages;

use bytes::Bytes;
use prost::Message;
use serde_json::{Map, Value};

use messages::*;

/// The media type the response carries (kube-openapi answers both accepted names with this one).
pub const MEDIA_TYPE: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
/// The deprecated name client-go still sends in Accept.
pub const MEDIA_TYPE_DEPRECATED: &str =
    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

/// The document has a shape Swagger 2.0 does not allow; `pointer` is a JSON pointer to the value.
#[derive(Debug, thiserror::Error)]
pub enum OpenApiProtoError {
    #[error("openapi v2 document at {pointer:?}: expected {expected}")]
    WrongType {
        pointer: String,
        expected: &'static str,
    },
    #[error("openapi v2 document at {pointer:?}: field is not part of Swagger 2.0")]
    UnknownField { pointer: String },
    #[error("openapi v2 document at {pointer:?}: {reason}")]
    Invalid { pointer: String, reason: String },
}

type Result<T> = std::result::Result<T, OpenApiProtoError>;

/// Encodes the Swagger 2.0 document `doc` as gnostic's `openapi.v2.Document`.
pub fn v2_protobuf(doc: &Value) -> Result<Bytes> {
    Ok(Bytes::from(document(doc)?.encode_to_vec()))
}

/// The `openapi.v2.Document` message for the Swagger 2.0 document `doc`.
pub fn document(doc: &Value) -> Result<Document> {
    let at = Loc::ROOT;
    let mut d = Document::default();
    for (k, v) in object(doc, &at)? {
        let at = at.key(k);
        match k.as_str() {
            "swagger" => d.swagger = string(v, &at)?,
            "info" => d.info = Some(info(v, &at)?),
            "host" => d.host = string(v, &at)?,
            "basePath" => d.base_path = string(v, &at)?,
            "schemes" => d.schemes = strings(v, &at)?,
            "consumes" => d.consumes = strings(v, &at)?,
            "produces" => d.produces = strings(v, &at)?,
            "paths" => d.paths = Some(paths(v, &at)?),
            "definitions" => {
                d.definitions = Some(Definitions {
                    additional_properties: named(v, &at, schema, |name, value| NamedSchema {
                        name,
                        value: Some(value),
                    })?,
                })
            }
            "parameters" => {
                d.parameters = Some(ParameterDefinitions {
                    additional_properties: named(v, &at, parameter, |name, value| {
                        NamedParameter {
                            name,
                            value: Some(value),
                        }
                    })?,
                })
            }
            "responses" => {
                d.responses = Some(ResponseDefinitions {
                    additional_properties: named(v, &at, response, |name, value| NamedResponse {
                        name,
                        value: Some(value),
                    })?,
                })
            }
            "security" => d.security = list(v, &at, security_requirement)?,
            "securityDefinitions" => {
                d.security_definitions = Some(SecurityDefinitions {
                    additional_properties: named(v, &at, security_definition, |name, value| {
                        NamedSecurityDefinitionsItem {
                            name,
                            value: Some(value),
                        }
                    })?,
                })
            }
            "tags" => d.tags = list(v, &at, tag)?,
            "externalDocs" => d.external_docs = Some(external_docs(v, &at)?),
            _ => extension(&mut d.vendor_extension, k, v, &at)?,
        }
    }
    Ok(d)
}

fn info(v: &Value, at: &Loc) -> Result<Info> {
    let mut i = Info::default();
    for (k, v) in object(v, at)? {
        let at = at.key(k);
        match k.as_str() {
            "title" => i.title = string(v, &at)?,
            "version" => i.version = string(v, &at)?,
            "description" => i.description = string(v, &at)?,
            "termsOfService" => i.terms_of_service = string(v, &at)?,
            "contact" => {
                let mut c = Contact::default();
                for (k, v) in object(v, &at)? {
                    let at = at.key(k);
                    match k.as_str() {
                        "name" => c.name = string(v, &at)?,
                        "url" => c.url = string(v, &at)?,
                        "email" => c.email = string(v, &at)?,
                        _ => extension(&mut c.vendor_extension, k, v, &at)?,
                    }
                }
                i.contact = Some(c);
            }
            "license" => {
                let mut l = License::default();
                for (k, v) in object(v, &at)? {
                    let at = at.key(k);
                    match k.as_str() {
                        "name" => l.name = string(v, &at)?,
                        "url" => l.url = string(v, &at)?,
                        _ => extension(&mut l.vendor_extension, k, v, &at)?,
                    }
                }
                i.license = Some(l);
            }
            _ => extension(&mut i.vendor_extension, k, v, &at)?,
        }
    }
    Ok(i)
}

fn paths(v: &Value, at: &Loc) -> Result<Paths> {
    let mut p = Paths::default();
    for (k, v) in object(v, at)? {
        let at = at.key(k);
        if k.starts_with("x-") {
            p.vendor_extension.push(named_any(k, v));
        } else {
            p.path.push(NamedPathItem {
                name: k.clone(),
                value: Some(path_item(v, &at)?),
            });
        }
    }
    Ok(p)
}

fn path_item(v: &Value, at: &Loc) -> Result<PathItem> {
    let mut p = PathItem::default();
    for (k, v) in object(v, at)? {
        let at = at.key(k);
        match k.as_str() {
            "$ref" => p.reference = string(v, &at)?,
            "get" => p.get = Some(operation(v, &at)?),
            "put" => p.put = Some(operation(v, &at)?),
            "post" => p.post = Some(operation(v, &at)?),
            "delete" => p.delete = Some(operation(v, &at)?),
            "options" => p.options = Some(operation(v, &at)?),
            "head" => p.head = Some(operation(v, &at)?),
            "patch" => p.patch = Some(operation(v, &at)?),
            "parameters" => p.parameters = list(v, &at, parameters_item)?,
            _ => extension(&mut p.vendor_extension, k, v, &at)?,
        }
    }
    Ok(p)
}

fn operation(v: &Value, at: &Loc) -> Result<Operation> {
    let mut o = Operation::default();
    for (k, v) in object(v, at)? {
        let at = at.key(k);
        match k.as_str() {
            "tags" => o.tags = strings(v, &at)?,
            "summary" => o.summary = string(v, &at)?,
            "description" => o.description = string(v, &at)?,
            "externalDocs" => o.external_docs = Some(external_docs(v, &at)?),
            "operationId" => o.operation_id = string(v, &at)?,
            "produces" => o.produces = strings(v, &at)?,
            "consumes" => o.consumes = strings(v, &at)?,
            "parameters" => o.parameters = list(v, &at, parameters_item)?,
            "responses" => o.responses = Some(responses(v, &at)?),
            "schemes" => o.schemes = strings(v, &at)?,
            "deprecated" => o.deprecated = boolean(v, &at)?,
            "security" => o.security = list(v, &at, security_requirement)?,
            _ => extension(&mut o.vendor_extension, k, v, &at)?,
        }
    }
    Ok(o)
}

fn parameters_item(v: &Value, at: &Loc) -> Result<ParametersItem> {
    let map = object(v, at)?;
    let oneof = if map.contains_key("$ref") {
        parameters_item::Oneof::JsonReference(json_reference(map, at)?)
    } else {
        parameters_item::Oneof::Parameter(parameter(v, at)?)
    };
    Ok(ParametersItem { oneof: Some(oneof) })
}

fn json_reference(map: &Map<String, Value>, at: &Loc) -> Result<JsonReference> {
    let mut r = JsonReference::default();
    for (k, v) in map {
        let at = at.key(k);
        match k.as_str() {
            "$ref" => r.reference = string(v, &at)?,
            "description" => r.description = string(v, &at)?,
            _ => return Err(unknown(&at)),
        }
    }
    Ok(r)
}

/// A parameter is told apart by `in`: the body carries a schema, the others the fields of a
/// primitive (each variant with its own field numbers).
fn parameter(v: &Value, at: &Loc) -> Result<Parameter> {
    let map = object(v, at)?;
    let location = match map.get("in") {
        Some(v) => string(v, &at.key("in"))?,
        None => {
            return Err(OpenApiProtoError::Invalid {
                pointer: at.pointer(),
                reason: "a parameter needs \"in\"".into(),
            });
        }
    };
    let oneof = if location == "body" {
        let mut b = BodyParameter::default();
        for (k, v) in map {
            let at = at.key(k);
            match k.as_str() {
                "description" => b.description = string(v, &at)?,
                "name" => b.name = string(v, &at)?,
                "in" => b.r#in = string(v, &at)?,
                "required" => b.required = boolean(v, &at)?,
                "schema" => b.schema = Some(schema(v, &at)?),
                _ => extension(&mut b.vendor_extension, k, v, &at)?,
            }
        }
        parameter::Oneof::BodyParameter(Box::new(b))
    } else {
        let p = Primitive::read(map, at, true)?;
        let sub = match location.as_str() {
            "query" => non_body_parameter::Oneof::QueryParameterSubSchema(Box::new(
                QueryParameterSubSchema {
                    required: p.required,
                    r#in: p.r#in,
                    description: p.description,
                    name: p.name,
                    allow_empty_value: p.allow_empty_value,
                    r#type: p.r#type,
                    format: p.format,
                    items: p.items,
                    collection_format: p.collection_format,
                    default: p.default,
                    maximum: p.maximum,
                    exclusive_maximum: p.exclusive_maximum,
                    minimum: p.minimum,
                    exclusive_minimum: p.exclusive_minimum,
                    max_length: p.max_length,
                    min_length: p.min_length,
                    pattern: p.pattern,
                    max_items: p.max_items,
                    min_items: p.min_items,
                    unique_items: p.unique_items,
                    r#enum: p.r#enum,
                    multiple_of: p.multiple_of,
                    vendor_extension: p.vendor_extension,
                },
            )),
            "formData" => non_body_parameter::Oneof::FormDataParameterSubSchema(Box::new(
                FormDataParameterSubSchema {
                    required: p.required,
                    r#in: p.r#in,
                    description: p.description,
                    name: p.name,
                    allow_empty_value: p.allow_empty_value,
                    r#type: p.r#type,
                    format: p.format,
                    items: p.items,
                    collection_format: p.collection_format,
                    default: p.default,
                    maximum: p.maximum,
                    exclusive_maximum: p.exclusive_maximum,
                    minimum: p.minimum,
                    exclusive_minimum: p.exclusive_minimum,
                    max_length: p.max_length,
                    min_length: p.min_length,
                    pattern: p.pattern,
                    max_items: p.max_items,
                    min_items: p.min_items,
                    unique_items: p.unique_items,
                    r#enum: p.r#enum,
                    multiple_of: p.multiple_of,
                    vendor_extension: p.vendor_extension,
                },
            )),
            "header" | "path" if p.allow_empty_value => {
                return Err(OpenApiProtoError::Invalid {
                    pointer: at.key("allowEmptyValue").pointer(),
                    reason: format!("not allowed on a {location} parameter"),
                });
            }
            "header" => non_body_parameter::Oneof::HeaderParameterSubSchema(Box::new(
                HeaderParameterSubSchema {
                    required: p.required,
                    r#in: p.r#in,
                    description: p.description,
                    name: p.name,
                    r#type: p.r#type,
                    format: p.format,
                    items: p.items,
                    collection_format: p.collection_format,
                    default: p.default,
                    maximum: p.maximum,
                    exclusive_maximum: p.exclusive_maximum,
                    minimum: p.minimum,
                    exclusive_minimum: p.exclusive_minimum,
                    max_length: p.max_length,
                    min_length: p.min_length,
                    pattern: p.pattern,
                    max_items: p.max_items,
                    min_items: p.min_items,
                    unique_items: p.unique_items,
                    r#enum: p.r#enum,
                    multiple_of: p.multiple_of,
                    vendor_extension: p.vendor_extension,
                },
            )),
            "path" => non_body_parameter::Oneof::PathParameterSubSchema(Box::new(
                PathParameterSubSchema {
                    required: p.required,
                    r#in: p.r#in,
                    description: p.description,
                    name: p.name,
                    r#type: p.r#type,
                    format: p.format,
                    items: p.items,
                    collection_format: p.collection_format,
                    default: p.default,
                    maximum: p.maximum,
                    exclusive_maximum: p.exclusive_maximum,
                    minimum: p.minimum,
                    exclusive_minimum: p.exclusive_minimum,
                    max_length: p.max_length,
                    min_length: p.min_length,
                    pattern: p.pattern,
                    max_items: p.max_items,
                    min_items: p.min_items,
                    unique_items: p.unique_items,
                    r#enum: p.r#enum,
                    multiple_of: p.multiple_of,
                    vendor_extension: p.vendor_extension,
                },
            )),
            other => {
                return Err(OpenApiProtoError::Invalid {
                    pointer: at.key("in").pointer(),
                    reason: format!("{other:?} is not one of body, query, header, path, formData"),
                });
            }
        };
        parameter::Oneof::NonBodyParameter(NonBodyParameter { oneof: Some(sub) })
    };
    Ok(Parameter { oneof: Some(oneof) })
}

/// The fields of a primitive value shared by non-body parameters, `items` of those and headers.
#[derive(Default)]
struct Primitive {
    required: bool,
    r#in: String,
    description: String,
    name: String,
    allow_empty_value: bool,
    r#type: String,
    format: String,
    items: Option<PrimitivesItems>,
    collection_format: String,
    default: Option<Any>,
    maximum: f64,
    exclusive_maximum: bool,
    minimum: f64,
    exclusive_minimum: bool,
    max_length: i64,
    min_length: i64,
    pattern: String,
    max_items: i64,
    min_items: i64,
    unique_items: bool,
    r#enum: Vec<Any>,
    multiple_of: f64,
    vendor_extension: Vec<NamedAny>,
}

impl Primitive {
    /// Reads the fields; `as_parameter` admits the parameter-only ones (`in`, `name`, ...).
    fn read(map: &Map<String, Value>, at: &Loc, as_parameter: bool) -> Result<Primitive> {
        let mut p = Primitive::default();
        for (k, v) in map {
            let at = at.key(k);
            match k.as_str() {
                "required" if as_parameter => p.required = boolean(v, &at)?,
                "in" if as_parameter => p.r#in = string(v, &at)?,
                "name" if as_parameter => p.name = string(v, &at)?,
                "allowEmptyValue" if as_parameter => p.allow_empty_value = boolean(v, &at)?,
                "description" => p.description = string(v, &at)?,
                "type" => p.r#type = string(v, &at)?,
                "format" => p.format = string(v, &at)?,
                "items" => p.items = Some(primitives_items(v, &at)?),
                "collectionFormat" => p.collection_format = string(v, &at)?,
                "default" => p.default = Some(any(v)),
                "maximum" => p.maximum = number(v, &at)?,
                "exclusiveMaximum" => p.exclusive_maximum = boolean(v, &at)?,
                "minimum" => p.minimum = number(v, &at)?,
                "exclusiveMinimum" => p.exclusive_minimum = boolean(v, &at)?,
                "maxLength" => p.max_length = integer(v, &at)?,
                "minLength" => p.min_length = integer(v, &at)?,
                "pattern" => p.pattern = string(v, &at)?,
                "maxItems" => p.max_items = integer(v, &at)?,
                "minItems" => p.min_items = integer(v, &at)?,
                "uniqueItems" => p.unique_items = boolean(v, &at)?,
                "enum" => p.r#enum = anys(v, &at)?,
                "multipleOf" => p.multiple_of = number(v, &at)?,
                _ => extension(&mut p.vendor_extension, k, v, &at)?,
            }
        }
        Ok(p)
    }
}

fn primitives_items(v: &Value, at: &Loc) -> Result<PrimitivesItems> {
    let p = Primitive::read(object(v, at)?, at, false)?;
    Ok(PrimitivesItems {
        r#type: p.r#type,
        format: p.format,
        items: p.items.map(Box::new),
        collection_format: p.collection_format,
        default: p.default,
        maximum: p.maximum,
        exclusive_maximum: p.exclusive_maximum,
        minimum: p.minimum,
        exclusive_minimum: p.exclusive_minimum,
        max_length: p.max_length,
        min_length: p.min_length,
        pattern: p.pattern,
        max_items: p.max_items,
        min_items: p.min_items,
        unique_items: p.unique_items,
        r#enum: p.r#enum,
        multiple_of: p.multiple_of,
        vendor_extension: p.vendor_extension,
    })
}

fn header(v: &Value, at: &Loc) -> Result<Header> {
    let p = Primitive::read(object(v, at)?, at, false)?;
    Ok(Header {
        r#type: p.r#type,
        format: p.format,
        items: p.items,
        collection_format: p.collection_format,
        default: p.default,
        maximum: p.maximum,
        exclusive_maximum: p.exclusive_maximum,
        minimum: p.minimum,
        exclusive_minimum: p.exclusive_minimum,
        max_length: p.max_length,
        min_length: p.min_length,
        pattern: p.pattern,
        max_items: p.max_items,
        min_items: p.min_items,
        unique_items: p.unique_items,
        r#enum: p.r#enum,
        multiple_of: p.multiple_of,
        description: p.description,
        vendor_extension: p.vendor_extension,
    })
}

fn responses(v: &Value, at: &Loc) -> Result<Responses> {
    let mut r = Responses::default();
    for (k, v) in object(v, at)? {
        let at = at.key(k);
        if k.starts_with("x-") {
            r.vendor_extension.push(named_any(k, v));
            continue;
        }
        let map = object(v, &at)?;
        let oneof = if map.contains_key("$ref") {
            response_value::Oneof::JsonReference(json_reference(map, &at)?)
        } else {
            response_value::Oneof::Response(response(v, &at)?)
        };
        r.response_code.push(NamedResponseValue {
            name: k.clone(),
            value: Some(ResponseValue { oneof: Some(oneof) }),
        });
    }
    Ok(r)
}

fn response(v: &Value, at: &Loc) -> Result<Response> {
    let mut r = Response::default();
    for (k, v) in object(v, at)? {
        let at = at.key(k);
        match k.as_str() {
            "description" => r.description = string(v, &at)?,
            "schema" => r.schema = Some(schema_item(v, &at)?),
            "headers" => {
                r.headers = Some(Headers {
                    additional_properties: named(v, &at, header, |name, value| NamedHeader {
                        name,
                        value: Some(value),
                    })?,
                })
            }
            "examples" => {
                r.examples = Some(Examples {
                    additional_properties: object(v, &at)?
                        .iter()
                        .map(|(k, v)| named_any(k, v))
                        .collect(),
                })
            }
            _ => extension(&mut r.vendor_extension, k, v, &at)?,
        }
    }
    Ok(r)
}

/// A response body is a schema, or a file (`"type": "file"`, which has a message of its own).
fn schema_item(v: &Value, at: &Loc) -> Result<SchemaItem> {
    let map = object(v, at)?;
    let oneof = if map.get("type").and_then(Value::as_str) == Some("file") {
        let mut f = FileSchema::default();
        for (k, v) in map {
            let at = at.key(k);
            match k.as_str() {
                "format" => f.format = string(v, &at)?,
                "title" => f.title = string(v, &at)?,
                "description" => f.description = string(v, &at)?,
                "default" => f.default = Some(any(v)),
                "required" => f.required = strings(v, &at)?,
                "type" => f.r#type = string(v, &at)?,
                "readOnly" => f.read_only = boolean(v, &at)?,
                "externalDocs" => f.external_docs = Some(external_docs(v, &at)?),
                "example" => f.example = Some(any(v)),
                _ => extension(&mut f.vendor_extension, k, v, &at)?,
            }
        }
        schema_item::Oneof::FileSchema(Box::new(f))
    } else {
        schema_item::Oneof::Schema(Box::new(schema(v, at)?))
    };
    Ok(SchemaItem { oneof: Some(oneof) })
}

fn schema(v: &Value, at: &Loc) -> Result<Schema> {
    let mut s = Schema::default();
    for (k, v) in object(v, at)? {
        let at = at.key(k);
        match k.as_str() {
            "$ref" => s.reference = string(v, &at)?,
            "format" => s.format = string(v, &at)?,
            "title" => s.title = string(v, &at)?,
            "description" => s.description = string(v, &at)?,
            "default" => s.default = Some(any(v)),
            "multipleOf" => s.multiple_of = number(v, &at)?,
            "maximum" => s.maximum = number(v, &at)?,
            "exclusiveMaximum" => s.exclusive_maximum = boolean(v, &at)?,
            "minimum" => s.minimum = number(v, &at)?,
            "exclusiveMinimum" => s.exclusive_minimum = boolean(v, &at)?,
            "maxLength" => s.max_length = integer(v, &at)?,
            "minLength" => s.min_length = integer(v, &at)?,
            "pattern" => s.pattern = string(v, &at)?,
            "maxItems" => s.max_items = integer(v, &at)?,
            "minItems" => s.min_items = integer(v, &at)?,
            "uniqueItems" => s.unique_items = boolean(v, &at)?,
            "maxProperties" => s.max_properties = integer(v, &at)?,
            "minProperties" => s.min_properties = integer(v, &at)?,
            "required" => s.required = strings(v, &at)?,
            "enum" => s.r#enum = anys(v, &at)?,
            "additionalProperties" => {
                let oneof = match v {
                    Value::Bool(b) => additional_properties_item::Oneof::Boolean(*b),
                    _ => additional_properties_item::Oneof::Schema(Box::new(schema(v, &at)?)),
                };
                s.additional_properties = Some(AdditionalPropertiesItem { oneof: Some(oneof) });
            }
            // One type name or a list of them; gnostic keeps both as a list.
            "type" => {
                let value = match v {
                    Value::String(t) => vec![t.clone()],
                    _ => strings(v, &at)?,
                };
                s.r#type = Some(TypeItem { value });
            }
            // One schema for every item, or (tuple validation) one per position.
            "items" => {
                let schema = match v {
                    Value::Array(_) => list(v, &at, schema)?,
                    _ => vec![schema(v, &at)?],
                };
                s.items = Some(ItemsItem { schema });
            }
            "allOf" => s.all_of = list(v, &at, schema)?,
            "properties" => {
                s.properties = Some(Properties {
                    additional_properties: named(v, &at, schema, |name, value| NamedSchema {
                        name,
                        value: Some(value),
                    })?,
                })
            }
            "discriminator" => s.discriminator = string(v, &at)?,
            "readOnly" => s.read_only = boolean(v, &at)?,
            "xml" => {
                let mut x = Xml::default();
                for (k, v) in object(v, &at)? {
                    let at = at.key(k);
                    match k.as_str() {
                        "name" => x.name = string(v, &at)?,
                        "namespace" => x.namespace = string(v, &at)?,
                        "prefix" => x.prefix = string(v, &at)?,
                        "attribute" => x.attribute = boolean(v, &at)?,
                        "wrapped" => x.wrapped = boolean(v, &at)?,
                        _ => extension(&mut x.vendor_extension, k, v, &at)?,
                    }
                }
                s.xml = Some(x);
            }
            "externalDocs" => s.external_docs = Some(external_docs(v, &at)?),
            "example" => s.example = Some(any(v)),
            _ => extension(&mut s.vendor_extension, k, v, &at)?,
        }
    }
    Ok(s)
}

fn security_requirement(v: &Value, at: &Loc) -> Result<SecurityRequirement> {
    Ok(SecurityRequirement {
        additional_properties: named(
            v,
            at,
            |v, at| {
                Ok(StringArray {
                    value: strings(v, at)?,
                })
            },
            |name, value| NamedStringArray {
                name,
                value: Some(value),
            },
        )?,
    })
}

/// A security scheme is told apart by `type` (and, for OAuth2, by `flow`).
fn security_definition(v: &Value, at: &Loc) -> Result<SecurityDefinitionsItem> {
    use security_definitions_item::Oneof;

    let map = object(v, at)?;
    let field = |name: &str| -> Result<String> {
        map.get(name)
            .map(|v| string(v, &at.key(name)))
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let description = field("description")?;
    let r#type = field("type")?;
    let flow = field("flow")?;
    let scopes = map
        .get("scopes")
        .map(|v| {
            let at = at.key("scopes");
            named(v, &at, string, |name, value| NamedString { name, value }).map(
                |additional_properties| Oauth2Scopes {
                    additional_properties,
                },
            )
        })
        .transpose()?;
    let mut vendor_extension = Vec::new();
    let mut allowed: &[&str] = &["type", "description"];
    let oneof = match (r#type.as_str(), flow.as_str()) {
        ("basic", _) => Oneof::BasicAuthenticationSecurity(BasicAuthenticationSecurity {
            r#type: r#type.clone(),
            description,
            vendor_extension: Vec::new(),
        }),
        ("apiKey", _) => {
            allowed = &["type", "description", "name", "in"];
            Oneof::ApiKeySecurity(ApiKeySecurity {
                r#type: r#type.clone(),
                name: field("name")?,
                r#in: field("in")?,
                description,
                vendor_extension: Vec::new(),
            })
        }
        ("oauth2", "implicit") => {
            allowed = &["type", "description", "flow", "scopes", "authorizationUrl"];
            Oneof::Oauth2ImplicitSecurity(Oauth2ImplicitSecurity {
                r#type: r#type.clone(),
                flow: flow.clone(),
                scopes,
                authorization_url: field("authorizationUrl")?,
                description,
                vendor_extension: Vec::new(),
            })
        }
        ("oauth2", "password") => {
            allowed = &["type", "description", "flow", "scopes", "tokenUrl"];
            Oneof::Oauth2PasswordSecurity(Oauth2PasswordSecurity {
                r#type: r#type.clone(),
                flow: flow.clone(),
                scopes,
                token_url: field("tokenUrl")?,
                description,
                vendor_extension: Vec::new(),
            })
        }
        ("oauth2", "application") => {
            allowed = &["type", "description", "flow", "scopes", "tokenUrl"];
            Oneof::Oauth2ApplicationSecurity(Oauth2ApplicationSecurity {
                r#type: r#type.clone(),
                flow: flow.clone(),
                scopes,
                token_url: field("tokenUrl")?,
                description,
                vendor_extension: Vec::new(),
            })
        }
        ("oauth2", "accessCode") => {
            allowed = &[
                "type",
                "description",
                "flow",
                "scopes",
                "authorizationUrl",
                "tokenUrl",
            ];
            Oneof::Oauth2AccessCodeSecurity(Oauth2AccessCodeSecurity {
                r#type: r#type.clone(),
                flow: flow.clone(),
                scopes,
                authorization_url: field("authorizationUrl")?,
                token_url: field("tokenUrl")?,
                description,
                vendor_extension: Vec::new(),
            })
        }
        _ => {
            return Err(OpenApiProtoError::Invalid {
                pointer: at.key("type").pointer(),
                reason: format!(
                    "security scheme type {type:?} (flow {flow:?}) is not one of basic, apiKey, \
                     oauth2 with implicit, password, application or accessCode",
                    type = r#type
                ),
            });
        }
    };
    for (k, v) in map {
        if !allowed.contains(&k.as_str()) {
            extension(&mut vendor_extension, k, v, &at.key(k))?;
        }
    }
    let mut item = oneof;
    match &mut item {
        Oneof::BasicAuthenticationSecurity(s) => s.vendor_extension = vendor_extension,
        Oneof::ApiKeySecurity(s) => s.vendor_extension = vendor_extension,
        Oneof::Oauth2ImplicitSecurity(s) => s.vendor_extension = vendor_extension,
        Oneof::Oauth2PasswordSecurity(s) => s.vendor_extension = vendor_extension,
        Oneof::Oauth2ApplicationSecurity(s) => s.vendor_extension = vendor_extension,
        Oneof::Oauth2AccessCodeSecurity(s) => s.vendor_extension = vendor_extension,
    }
    Ok(SecurityDefinitionsItem { oneof: Some(item) })
}

fn tag(v: &Value, at: &Loc) -> Result<Tag> {
    let mut t = Tag::default();
    for (k, v) in object(v, at)? {
        let at = at.key(k);
        match k.as_str() {
            "name" => t.name = string(v, &at)?,
            "description" => t.description = string(v, &at)?,
            "externalDocs" => t.external_docs = Some(external_docs(v, &at)?),
            _ => extension(&mut t.vendor_extension, k, v, &at)?,
        }
    }
    Ok(t)
}

fn external_docs(v: &Value, at: &Loc) -> Result<ExternalDocs> {
    let mut e = ExternalDocs::default();
    for (k, v) in object(v, at)? {
        let at = at.key(k);
        match k.as_str() {
            "description" => e.description = string(v, &at)?,
            "url" => e.url = string(v, &at)?,
            _ => extension(&mut e.vendor_extension, k, v, &at)?,
        }
    }
    Ok(e)
}

/// A free-form value as gnostic carries it: YAML text. JSON is YAML, and unlike a YAML emitter
/// it cannot turn a string such as `"yes"` or `"1.0"` into another type on the way back.
fn any(v: &Value) -> Any {
    Any {
        value: None,
        yaml: v.to_string(),
    }
}

fn anys(v: &Value, at: &Loc) -> Result<Vec<Any>> {
    match v {
        Value::Array(items) => Ok(items.iter().map(any).collect()),
        _ => Err(wrong(at, "an array")),
    }
}

fn named_any(name: &str, v: &Value) -> NamedAny {
    NamedAny {
        name: name.to_string(),
        value: Some(any(v)),
    }
}

/// A field outside the object's fixed ones: a vendor extension if it starts with `x-`, else an error.
fn extension(out: &mut Vec<NamedAny>, key: &str, v: &Value, at: &Loc) -> Result<()> {
    if key.starts_with("x-") {
        out.push(named_any(key, v));
        Ok(())
    } else {
        Err(unknown(at))
    }
}

/// A JSON object as gnostic's ordered (name, value) pairs.
fn named<T, N>(
    v: &Value,
    at: &Loc,
    convert: impl Fn(&Value, &Loc) -> Result<T>,
    pair: impl Fn(String, T) -> N,
) -> Result<Vec<N>> {
    object(v, at)?
        .iter()
        .map(|(k, v)| Ok(pair(k.clone(), convert(v, &at.key(k))?)))
        .collect()
}

fn list<T>(v: &Value, at: &Loc, convert: impl Fn(&Value, &Loc) -> Result<T>) -> Result<Vec<T>> {
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| convert(v, &at.index(i)))
            .collect(),
        _ => Err(wrong(at, "an array")),
    }
}

fn object<'v>(v: &'v Value, at: &Loc) -> Result<&'v Map<String, Value>> {
    v.as_object().ok_or_else(|| wrong(at, "an object"))
}

fn string(v: &Value, at: &Loc) -> Result<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| wrong(at, "a string"))
}

fn strings(v: &Value, at: &Loc) -> Result<Vec<String>> {
    list(v, at, string)
}

fn boolean(v: &Value, at: &Loc) -> Result<bool> {
    v.as_bool().ok_or_else(|| wrong(at, "a boolean"))
}

fn number(v: &Value, at: &Loc) -> Result<f64> {
    v.as_f64().ok_or_else(|| wrong(at, "a number"))
}

/// An int64 field; a float with no fraction (`5.0`) is the same JSON number.
fn integer(v: &Value, at: &Loc) -> Result<i64> {
    if let Some(i) = v.as_i64() {
        return Ok(i);
    }
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(wrong(at, "an integer")),
    }
}

fn wrong(at: &Loc, expected: &'static str) -> OpenApiProtoError {
    OpenApiProtoError::WrongType {
        pointer: at.pointer(),
        expected,
    }
}

fn unknown(at: &Loc) -> OpenApiProtoError {
    OpenApiProtoError::UnknownField {
        pointer: at.pointer(),
    }
}

/// Where the converter is in the document, as a chain of borrowed segments: the JSON pointer is
/// only spelled out when an error needs it.
struct Loc<'a> {
    parent: Option<&'a Loc<'a>>,
    segment: Segment<'a>,
}

enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Loc<'a> {
    const ROOT: Loc<'static> = Loc {
        parent: None,
        segment: Segment::Root,
    };

    fn key<'b>(&'b self, key: &'b str) -> Loc<'b> {
        Loc {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    fn index(&self, i: usize) -> Loc<'_> {
        Loc {
            parent: Some(self),
            segment: Segment::Index(i),
        }
    }

    /// The RFC 6901 pointer (`/paths/~1apis~1argoproj.io~1v1alpha1/get`).
    fn pointer(&self) -> String {
        let mut segments = Vec::new();
        let mut at = Some(self);
        while let Some(loc) = at {
            match loc.segment {
                Segment::Root => {}
                Segment::Key(k) => segments.push(k.replace('~', "~0").replace('/', "~1")),
                Segment::Index(i) => segments.push(i.to_string()),
            }
            at = loc.parent;
        }
        segments.iter().rev().fold(String::new(), |mut out, s| {
            out.push('/');
            out.push_str(s);
            out
        })
    }
}

#[cfg(test)]
mod tests;
