//! Serving an axum app the way every storefront service does: HTTP/1.1 and cleartext HTTP/2 on
//! one port (the router multiplexes its fetches and subscription streams over one HTTP/2
//! connection), TCP_NODELAY, and on Ctrl-C or SIGTERM no new connections while in-flight
//! requests get a grace period (what a rolling deploy relies on); and the probe a container's
//! health check runs.

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    sync::LazyLock,
    task::{Context, Poll},
    time::Duration,
};

use axum::Router;
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
    service::TowerToHyperService,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    sync::watch,
};

/// Streams one HTTP/2 connection may hold at once. The router sends every fetch and every
/// subscription stream for a subgraph over one connection, so this sits above the subgraphs'
/// own cap on open streams (20,000) plus a burst of fetches; what a stream may buffer is
/// bounded by HTTP/2's flow-control windows, not by this count.
pub const HTTP2_MAX_CONCURRENT_STREAMS: u32 = 25_000;

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
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "listening");
    let mut http = auto::Builder::new(TokioExecutor::new());
    http.http2()
        .max_concurrent_streams(HTTP2_MAX_CONCURRENT_STREAMS);
    let (stop, stopping) = watch::channel(false);
    // Each connection's task holds a receiver; the sender sees them all gone once every
    // connection has closed.
    let (open, connection_open) = watch::channel(());
    let signal = shutdown_signal();
    tokio::pin!(signal);
    loop {
        let (connection, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, mostly: give the open connections time to close.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        // Small GraphQL responses go out at once rather than wait on Nagle's algorithm.
        if let Err(error) = connection.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let http = http.clone();
        let service = TowerToHyperService::new(app.clone());
        let mut stopping = stopping.clone();
        let connection_open = connection_open.clone();
        tokio::spawn(async move {
            let served =
                http.serve_connection_with_upgrades(TokioIo::new(QuickAck(connection)), service);
            tokio::pin!(served);
            let outcome = tokio::select! {
                outcome = served.as_mut() => outcome,
                // (`is_ok`: the watch's guard must not live across the await below.)
                _ = async { stopping.wait_for(|stopping| *stopping).await.is_ok() } => {
                    served.as_mut().graceful_shutdown();
                    served.await
                }
            };
            if let Err(error) = outcome {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(connection_open);
        });
    }
    drop(listener);
    SHUTTING_DOWN.send_replace(true);
    stop.send_replace(true);
    drop(connection_open);
    if tokio::time::timeout(grace, open.closed()).await.is_err() {
        tracing::warn!(
            ?grace,
            "grace period over; exiting with requests still in flight"
        );
    }
    Ok(())
}

/// A connection that acknowledges what it reads at once. An HTTP/2 client that writes a
/// request's HEADERS and DATA frames apart, without TCP_NODELAY (Hive Router's subgraph client
/// is one), holds the DATA until the HEADERS are acknowledged, and Linux delays that
/// acknowledgement up to 40 ms while the server has nothing to send: every fetch would wait it.
/// The quick-ack mode is not sticky, so it is set again after each read.
struct QuickAck(TcpStream);

impl AsyncRead for QuickAck {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.0).poll_read(cx, buf);
        if polled.is_ready() {
            // Best effort: a socket that refuses it only acknowledges later.
            let _ = socket2::SockRef::from(&self.0).set_tcp_quickack(true);
        }
        polled
    }
}

impl AsyncWrite for QuickAck {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
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
