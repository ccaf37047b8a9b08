//! The HTTP serve loop (issue 10, item 6), in place of plain `axum::serve`:
//! a cap on connections shared by every listener, a header-read timeout that
//! also ends kept-alive connections left waiting, an idle timeout for
//! connections that stop moving bytes, and graceful shutdown. Every request
//! carries its peer's address as `ConnectInfo<SocketAddr>`.

mod activity;
mod budget;

pub use budget::{connection_budget, raise_file_limit};

use activity::{Activity, Tracked};
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// How long connections still open at shutdown get to finish (event streams
/// end at once; this bounds a download to a client that stopped reading).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The bounds every listener of this process shares.
#[derive(Clone)]
pub struct Limits {
    /// One permit per open connection, across all listeners.
    pub slots: Arc<Semaphore>,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
}

impl Limits {
    pub fn new(max_connections: usize, header_timeout: Duration, idle_timeout: Duration) -> Self {
        Limits {
            slots: Arc::new(Semaphore::new(max_connections.max(1))),
            header_timeout,
            idle_timeout,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` turns true, then lets the
/// open connections finish (bounded by [`SHUTDOWN_GRACE`]).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        // At the cap, stop accepting: new clients wait in the kernel's
        // backlog until a slot frees, instead of costing a descriptor each.
        let permit = tokio::select! {
            permit = limits.slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = shutdown.wait_for(|s| *s) => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|s| *s) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                accept_failed(e, &mut shutdown).await;
                continue;
            }
        };
        let conn = connection(
            stream,
            peer,
            router.clone(),
            limits.clone(),
            shutdown.clone(),
        );
        connections.spawn(with_permit(conn, permit));
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drained).await.is_err() {
        tracing::warn!(
            left = connections.len(),
            "closing connections still open at shutdown"
        );
    }
}

async fn with_permit(conn: impl std::future::Future<Output = ()>, _permit: OwnedSemaphorePermit) {
    conn.await
}

/// Out of descriptors (or a transient error): wait a moment rather than spin;
/// the reserve keeps payment calls and the store working meanwhile.
async fn accept_failed(e: std::io::Error, shutdown: &mut watch::Receiver<bool>) {
    tracing::warn!(error = %e, "accept failed");
    tokio::select! {
        _ = tokio::time::sleep(Duration::from_millis(250)) => {}
        _ = shutdown.wait_for(|s| *s) => {}
    }
}

/// One HTTP/1.1 connection. HTTP/1.1 only: the display, the simulator and
/// Vipps's webhooks all speak it, and h2c would need timeouts of its own.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Tracked::new(stream, activity.clone()));
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let answering = activity.answering();
            let response = router.clone().oneshot(request);
            async move {
                let response = response.await;
                drop(answering);
                response
            }
        })
    };
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut stopping = false;
    loop {
        let check_at = activity.idle_deadline(limits.idle_timeout);
        tokio::select! {
            done = conn.as_mut() => {
                if let Err(e) = done {
                    tracing::debug!(%peer, error = %e, "connection ended");
                }
                return;
            }
            _ = shutdown.wait_for(|s| *s), if !stopping => {
                conn.as_mut().graceful_shutdown();
                stopping = true;
            }
            _ = tokio::time::sleep_until(check_at) => {
                if activity.idle_for(limits.idle_timeout) {
                    tracing::debug!(%peer, "closing a connection that moved nothing");
                    return;
                }
            }
        }
    }
}
