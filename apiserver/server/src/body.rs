//! Request bodies off the connection, with kube's 3 MiB limit; decoding them is core's
//! (sans-I/O, so it can be fuzzed alone).

use argo_apiserver_core::ApiError;
use bytes::Bytes;
use http_body_util::BodyExt;

pub use argo_apiserver_core::body::{Decoded, decode};

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
    read_limited_to(body, MAX_BODY_BYTES).await
}

/// Reads the whole body, refusing more than `limit` bytes with 413.
pub async fn read_limited_to<B>(body: B, limit: usize) -> Result<Bytes, ApiError>
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
            if total <= limit {
                buf.extend_from_slice(&data);
            } else if total > DRAIN_LIMIT {
                break;
            }
        }
    }
    if total > limit {
        return Err(ApiError::request_entity_too_large(format_args!(
            "limit is {limit}"
        )));
    }
    Ok(buf.freeze())
}
