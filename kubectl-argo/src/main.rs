//! `kubectl-argo`: a kubectl plugin (`kubectl argo ...`) for the action subresources of
//! argo-apiserver: `applications/{sync,rollback,terminate}`,
//! `rollouts/{promote,abort,retry,restart,pause,resume}` and
//! `workflows/{resubmit,retry,suspend,resume,stop,terminate}`.
//!
//! Each run GETs the object, POSTs the action with its JSON request body, and prints one line
//! describing what changed (or, with `-o`, the resulting object). Refusals are printed as
//! kubectl prints them (`Error from server (<Reason>): <message>`) with exit code 1; usage
//! errors exit 2 before any request.

mod cli;
mod describe;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use http::{Method, Request, header};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::Value;

use crate::cli::{Cli, Output, Plan};

/// Why a run failed; both exit 1.
#[derive(Debug)]
enum Failure {
    /// The server answered with an error: already worded as kubectl words it.
    Server(String),
    /// Anything else (kubeconfig, connection, an answer that is not an object).
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

fn main() -> ExitCode {
    let Cli {
        kubeconfig,
        context,
        cluster,
        user,
        namespace,
        output,
        verb,
    } = Cli::parse();
    let plan = match verb.plan() {
        Ok(plan) => plan,
        Err(usage) => {
            // A clap error, so the message, the subcommand's usage and exit code 2 match what
            // clap prints for every other bad command line.
            let mut cmd = Cli::command();
            cmd.build();
            let err = match cmd.find_subcommand_mut(usage.verb) {
                Some(sub) => sub.error(ErrorKind::InvalidValue, usage.message),
                None => Cli::command().error(ErrorKind::InvalidValue, usage.message),
            };
            err.exit();
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let globals = Globals {
        kubeconfig,
        options: KubeConfigOptions {
            context,
            cluster,
            user,
        },
        namespace: namespace.filter(|ns| !ns.is_empty()),
        output,
    };
    match runtime.block_on(run(&globals, &plan)) {
        Ok(text) => {
            // A closed stdout (e.g. `| head -0`) is not worth a panic or an error.
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            ExitCode::SUCCESS
        }
        Err(Failure::Server(line)) => {
            eprintln!("{line}");
            ExitCode::FAILURE
        }
        Err(Failure::Other(e)) => {
            eprintln!("error: {}", chain(&e));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes on one line, leaving out causes that an outer message already
/// quotes (kube's errors repeat their source).
fn chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}

/// The flags that are not part of the action.
struct Globals {
    kubeconfig: Option<std::path::PathBuf>,
    options: KubeConfigOptions,
    namespace: Option<String>,
    output: Option<Output>,
}

async fn run(globals: &Globals, plan: &Plan) -> Result<String, Failure> {
    let (client, default_ns, server) = connect(globals).await?;
    let namespace = globals.namespace.clone().unwrap_or(default_ns);
    let path = format!(
        "/apis/argoproj.io/v1alpha1/namespaces/{}/{}/{}",
        encode(&namespace),
        plan.kind.plural(),
        encode(&plan.name)
    );
    let before = call(&client, &server, Method::GET, &path, None).await?;
    let action_path = format!("{path}/{}", plan.action);
    let after = call(
        &client,
        &server,
        Method::POST,
        &action_path,
        Some(&plan.body),
    )
    .await?;
    Ok(match globals.output {
        None => describe::summary(plan, &before, &after),
        Some(Output::Name) => {
            let name = after
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or(&plan.name);
            describe::reference(plan.kind, name)
        }
        Some(Output::Json) => to_json(&after),
        Some(Output::Yaml) => serde_yaml::to_string(&after)
            .context("encoding the object as YAML")?
            .trim_end()
            .to_string(),
    })
}

/// Loads the kubeconfig the way kubectl does (`--kubeconfig`, else the files of `$KUBECONFIG`
/// that exist, merged, else `~/.kube/config`, else the in-cluster service account; then
/// `--context`/`--cluster`/`--user`) and returns the client, the context's namespace
/// ("default" when it has none) and the server URL for messages.
async fn connect(globals: &Globals) -> anyhow::Result<(Client, String, String)> {
    let config = match load_kubeconfig(globals.kubeconfig.as_deref())? {
        Some((kubeconfig, origin)) => Config::from_custom_kubeconfig(kubeconfig, &globals.options)
            .await
            .with_context(|| format!("invalid kubeconfig {origin}"))?,
        None => Config::incluster().context(
            "no kubeconfig found (set KUBECONFIG or pass --kubeconfig) and not running in a cluster",
        )?,
    };
    let server = config.cluster_url.to_string();
    let namespace = config.default_namespace.clone();
    let client =
        Client::try_from(config).with_context(|| format!("cannot set up a client for {server}"))?;
    Ok((client, namespace, server))
}

/// The kubeconfig to use and where it came from (for messages); None when there is none.
fn load_kubeconfig(explicit: Option<&Path>) -> anyhow::Result<Option<(Kubeconfig, String)>> {
    if let Some(path) = explicit {
        let kubeconfig = Kubeconfig::read_from(path)
            .with_context(|| format!("cannot read kubeconfig {}", path.display()))?;
        return Ok(Some((kubeconfig, path.display().to_string())));
    }
    if let Some(list) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        // As client-go does: missing files in the list are skipped, the rest merged in order.
        let mut merged: Option<Kubeconfig> = None;
        for path in std::env::split_paths(&list).filter(|p| p.is_file()) {
            let next = Kubeconfig::read_from(&path)
                .with_context(|| format!("cannot read kubeconfig {}", path.display()))?;
            merged = Some(match merged {
                Some(prev) => prev
                    .merge(next)
                    .with_context(|| format!("cannot merge kubeconfig {}", path.display()))?,
                None => next,
            });
        }
        return Ok(merged.map(|k| (k, "from KUBECONFIG".to_string())));
    }
    let default = std::env::home_dir().map(|home| home.join(".kube").join("config"));
    match default.filter(|p| p.is_file()) {
        Some(path) => {
            let kubeconfig = Kubeconfig::read_from(&path)
                .with_context(|| format!("cannot read kubeconfig {}", path.display()))?;
            Ok(Some((kubeconfig, path.display().to_string())))
        }
        None => Ok(None),
    }
}

/// Percent-encodes one path segment, so a name can never reach another URL.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out == "." || out == ".." {
        // Dot segments would be resolved away by the URL; the server rejects such names anyway.
        return out.replace('.', "%2E");
    }
    out
}

/// One request; the answer as JSON, or the server's refusal worded as kubectl words it.
async fn call(
    client: &Client,
    server: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, Failure> {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::ACCEPT, "application/json");
    let bytes = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            serde_json::to_vec(b).context("encoding the request body")?
        }
        None => Vec::new(),
    };
    let req = req
        .body(kube::client::Body::from(bytes))
        .with_context(|| format!("invalid request path {path}"))?;
    let res = client
        .send(req)
        .await
        .with_context(|| format!("cannot reach the server at {server}"))?;
    let code = res.status();
    let text = res
        .into_body()
        .collect_bytes()
        .await
        .with_context(|| format!("reading the answer from {server}"))?;
    let json = serde_json::from_slice::<Value>(&text).ok();
    if !code.is_success() {
        return Err(Failure::Server(server_error(
            code.as_u16(),
            json.as_ref(),
            &text,
        )));
    }
    match json {
        Some(v) if v.get("kind").and_then(Value::as_str) == Some("Status") => {
            if v.get("status").and_then(Value::as_str) == Some("Failure") {
                let code = v.get("code").and_then(Value::as_u64).unwrap_or(500);
                let code = u16::try_from(code).unwrap_or(500);
                Err(Failure::Server(server_error(code, Some(&v), &text)))
            } else {
                Err(Failure::Other(anyhow::anyhow!(
                    "the server answered {path} with a Status instead of the object"
                )))
            }
        }
        Some(v) if v.is_object() => Ok(v),
        _ => Err(Failure::Other(anyhow::anyhow!(
            "the server answered {path} with something that is not a JSON object"
        ))),
    }
}

/// `Error from server (<Reason>): <message>`, with client-go's wording for answers that carry
/// no Status of their own.
fn server_error(code: u16, body: Option<&Value>, raw: &[u8]) -> String {
    let field = |k: &str| {
        body.and_then(|b| b.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (default_reason, default_message) = match code {
        400 => (
            "BadRequest",
            "the server rejected our request for an unknown reason",
        ),
        401 => (
            "Unauthorized",
            "the server has asked for the client to provide credentials",
        ),
        403 => (
            "Forbidden",
            "the server does not allow access to the requested resource",
        ),
        404 => (
            "NotFound",
            "the server could not find the requested resource",
        ),
        405 => (
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        ),
        406 => (
            "NotAcceptable",
            "the server was unable to respond with a content type that the client supports",
        ),
        409 => ("Conflict", "the server reported a conflict"),
        410 => ("Gone", "the server has asked for the client to retry"),
        413 => (
            "RequestEntityTooLarge",
            "the server has rejected the request because it is too large",
        ),
        415 => (
            "UnsupportedMediaType",
            "the server responded with the status code 415 but did not return more information",
        ),
        422 => (
            "Invalid",
            "the server rejected our request due to an error in our request",
        ),
        429 => (
            "TooManyRequests",
            "the server has received too many requests and has asked us to try again later",
        ),
        503 => (
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        ),
        504 => (
            "Timeout",
            "the server was unable to return a response in the time allotted, but may still be processing the request",
        ),
        _ => ("InternalError", ""),
    };
    let reason = field("reason").unwrap_or_else(|| default_reason.to_string());
    let message = field("message").unwrap_or_else(|| {
        if default_message.is_empty() {
            let raw = String::from_utf8_lossy(raw);
            format!(
                "an error on the server ({:?}) has prevented the request from succeeding",
                raw.trim()
            )
        } else {
            default_message.to_string()
        }
    });
    format!("Error from server ({reason}): {message}")
}

/// JSON indented by four spaces, as `kubectl -o json` prints it.
fn to_json(v: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    match serde::Serialize::serialize(v, &mut ser) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(_) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(encode("guestbook"), "guestbook");
        assert_eq!(encode("a/b c"), "a%2Fb%20c");
        assert_eq!(encode(".."), "%2E%2E");
        assert_eq!(encode("é?"), "%C3%A9%3F");
    }

    #[test]
    fn statuses_read_like_kubectl() {
        let status = json!({"kind": "Status", "status": "Failure", "reason": "NotFound",
            "message": "rollouts.argoproj.io \"x\" not found", "code": 404});
        assert_eq!(
            server_error(404, Some(&status), b""),
            "Error from server (NotFound): rollouts.argoproj.io \"x\" not found"
        );
        assert_eq!(
            server_error(405, None, b"405 method not allowed"),
            "Error from server (MethodNotAllowed): the server does not allow this method on the requested resource"
        );
        assert_eq!(
            server_error(405, Some(&json!({})), b"{}"),
            "Error from server (MethodNotAllowed): the server does not allow this method on the requested resource"
        );
        assert_eq!(
            server_error(502, None, b"bad gateway"),
            "Error from server (InternalError): an error on the server (\"bad gateway\") has prevented the request from succeeding"
        );
    }

    #[test]
    fn json_is_indented_by_four() {
        assert_eq!(to_json(&json!({"a": 1})), "{\n    \"a\": 1\n}");
    }
}
