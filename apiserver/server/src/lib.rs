//! The argo-apiserver server: TLS serving, routing, handlers, discovery, OpenAPI, Table output,
//! health and metrics, over the registry.

// Handlers answer with the one `ApiError` (a whole Status); errors are the cold path.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod auth;
pub mod body;
pub mod certs_cli;
pub mod handlers;
pub mod http;
pub mod jsonpath;
pub mod limits;
pub mod metrics;
pub mod migrate;
pub mod openapi_proto;
pub mod options;
pub mod output;
pub mod resource;
pub mod router;
pub mod serve;
pub mod table;
pub mod tls;
pub mod webhook_server;
