//! Sans-I/O Kubernetes API machinery shared by the server crates: the Status error type,
//! RequestInfo, list/watch/patch/delete parameters, label and field selectors, object-meta
//! validation, content negotiation, Warning headers, and the decoders of what clients send
//! (bodies, patches, continue tokens, managedFields' field sets). Nothing here opens a socket or
//! touches storage, so every parser of network input can be fuzzed on its own.

// Every parser answers with the one `ApiError` (a whole Status, as kube's StatusError); errors
// are the cold path, so its size is not worth boxing.
#![allow(clippy::result_large_err)]

pub mod body;
pub mod continue_token;
pub mod depth;
pub mod fieldpath;
pub mod meta;
pub mod negotiation;
pub mod params;
pub mod patch;
pub mod request_info;
pub mod selector;
pub mod status;
pub mod warning;

pub use negotiation::{DiscoveryVersion, Format, MetaVersion, Negotiated, Output};
pub use params::{
    CreateOptions, DeleteOptions, FieldValidation, GetOptions, IncludeObject, ListOptions,
    ListRead, PatchOptions, PatchType, PropagationPolicy, Query, ReadMode, ResourceVersionMatch,
    TableOptions, UpdateOptions, WatchStart, WriteOptions,
};
pub use request_info::RequestInfo;
pub use selector::{FieldSelector, LabelSelector};
pub use status::{ApiError, GroupResource, Status, StatusCause, StatusDetails};
pub use warning::WarningRecorder;
