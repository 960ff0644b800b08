//! Serving an axum app the way every storefront service does: TCP_NODELAY, and on Ctrl-C or
//! SIGTERM no new connections while in-flight requests get a grace period (what a rolling
//! deploy relies on); and the probe a container's health check runs.

use std::{
    future::IntoFuture,
    net::SocketAddr,
    sync::{Arc, LazyLock},
    time::Duration,
};

use axum::{Router, serve::ListenerExt};
use tokio::sync::{Notify, watch};

/// Whether the process has been told to stop: streaming responses end on it (a graceful
/// shutdown would otherwise wait out its grace on streams that never finish).
static SHUTTING_DOWN: LazyLock<watch::Sender<bool>> = LazyLock::new(|| watch::Sender::new(false));

/// Resolves once the process has been told to stop (Ctrl-C or SIGTERM).
pub async fn shutting_down() {
    let mut stopping = SHUTTING_DOWN.subscribe();
    // The sender is a static: it is never dropped, so waiting cannot fail.
    let _ = stopping.wait_for(|stopping| *stopping).await;
}

/// Binds `addr` and serves until Ctrl-C or SIGTERM; then refuses new connections and lets
/// in-flight requests finish for up to `grace` (what a rolling deploy relies on).
pub async fn serve(addr: SocketAddr, app: Router, grace: Duration) -> std::io::Result<()> {
    // Small GraphQL responses go out at once rather than wait on Nagle's algorithm.
    let listener = tokio::net::TcpListener::bind(addr)
        .await?
        .tap_io(|connection| {
            if let Err(error) = connection.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY");
            }
        });
    tracing::info!(%addr, "listening");
    let signalled = Arc::new(Notify::new());
    let on_signal = signalled.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        SHUTTING_DOWN.send_replace(true);
        on_signal.notify_one();
    });
    tokio::select! {
        served = server.into_future() => served,
        () = async {
            signalled.notified().await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(?grace, "grace period over; exiting with requests still in flight");
            Ok(())
        }
    }
}

/// Asks the service listening on `listen` for its `/ready` (for a container's HEALTHCHECK,
/// which has no curl): whether it serves and what it depends on answers. A service listening
/// on every interface is asked on loopback.
pub async fn probe(mut listen: SocketAddr) -> Result<(), String> {
    if listen.ip().is_unspecified() {
        listen.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let url = format!("http://{listen}/ready");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .map_err(|err| err.to_string())?;
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|err| format!("{url}: {err}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("{url} answered {}", response.status()))
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
