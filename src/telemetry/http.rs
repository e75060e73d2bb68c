//! The operator endpoint: `GET /metrics` (Prometheus text from the exporter's handle) and
//! `GET /healthz` (200 `ok`, or 503 with the reason), on a small hyper HTTP/1 server.
//!
//! It binds to loopback unless remote access is explicitly allowed: metrics reveal file
//! names and throughput and there is no authentication, so expose it through a proxy.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use crate::telemetry::health;

/// Binds the endpoint's socket; refuses a non-loopback address unless `allow_remote`.
///
/// # Errors
/// On a refused address or a failed bind (port in use, permission).
pub async fn bind(addr: SocketAddr, allow_remote: bool) -> anyhow::Result<TcpListener> {
    if !addr.ip().is_loopback() && !allow_remote {
        anyhow::bail!(
            "--metrics-addr {addr} is not a loopback address; the endpoint has no authentication, \
             so use 127.0.0.1 (or ::1) and a proxy, or pass --metrics-allow-remote to expose it"
        );
    }
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on --metrics-addr {addr}"))
}

/// Serves `/metrics` and `/healthz` on `listener` until the runtime stops.
pub async fn serve(listener: TcpListener, handle: PrometheusHandle, outbox: PathBuf) {
    let state = Arc::new((handle, outbox));
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(e) => {
                tracing::warn!(error = %e, "metrics endpoint: accept failed; retrying");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let state = state.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(route(&req, &state.0, &state.1).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

async fn route(
    req: &Request<Incoming>,
    handle: &PrometheusHandle,
    outbox: &std::path::Path,
) -> Response<Full<Bytes>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return text(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET\n".into(),
            "text/plain",
        );
    }
    match req.uri().path() {
        "/metrics" => text(
            StatusCode::OK,
            handle.render(),
            "text/plain; version=0.0.4; charset=utf-8",
        ),
        "/healthz" => {
            let dir = outbox.to_path_buf();
            let status = tokio::task::spawn_blocking(move || health::check(&dir))
                .await
                .unwrap_or_else(|e| health::Status {
                    healthy: false,
                    detail: format!("health check failed: {e}"),
                });
            let code = if status.healthy {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            text(
                code,
                format!("{}\n", status.detail),
                "text/plain; charset=utf-8",
            )
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found; try /metrics or /healthz\n".into(),
            "text/plain",
        ),
    }
}

fn text(code: StatusCode, body: String, content_type: &'static str) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = code;
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type),
    );
    resp
}
