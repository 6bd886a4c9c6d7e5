//! The HTTP JSON-RPC endpoint (POST /) and the validator's GET /health.

use std::convert::Infallible;

use http_body_util::{BodyExt, Full};
use hyper::{body::Bytes, server::conn::http1, service::service_fn, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::engine::Engine;

/// Largest request body accepted (a batch of transactions is far smaller).
const MAX_BODY_BYTES: usize = 16 << 20;

fn response(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        // Browser wallets and dapps call a local node from another origin.
        .header("access-control-allow-origin", "*")
        .header("access-control-allow-headers", "content-type, solana-client")
        .body(Full::new(body.into()))
        .expect("a valid response")
}

async fn handle(engine: Engine, request: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    match (request.method(), request.uri().path()) {
        (&Method::GET, "/health") => Ok(response(StatusCode::OK, "text/plain", "ok")),
        (&Method::OPTIONS, _) => Ok(response(StatusCode::NO_CONTENT, "text/plain", "")),
        (&Method::POST, "/") => {
            let limited = http_body_util::Limited::new(request.into_body(), MAX_BODY_BYTES);
            let body = match limited.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(_) => return Ok(response(StatusCode::PAYLOAD_TOO_LARGE, "text/plain", format!("request body larger than {MAX_BODY_BYTES} bytes"))),
            };
            let answer = crate::rpc::handle_body(&engine, &body).await;
            Ok(response(StatusCode::OK, "application/json", answer.to_string()))
        }
        _ => Ok(response(StatusCode::NOT_FOUND, "text/plain", "POST JSON-RPC to /, or GET /health")),
    }
}

pub async fn serve(listener: TcpListener, engine: Engine) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let engine = engine.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(engine.clone(), request));
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
