//! A subscription client for tests, over each transport the router offers: Server-Sent Events,
//! multipart HTTP (Apollo's subscription protocol) and a WebSocket (graphql-transport-ws).
//! Whatever the transport, a test reads the same thing: each GraphQL response the stream
//! delivered, in order, then [`Delivered::Ended`].

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

/// How a client subscribes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Sse,
    Multipart,
    WebSocket,
}

impl Transport {
    pub const ALL: [Transport; 3] = [Transport::Sse, Transport::Multipart, Transport::WebSocket];
}

/// What a subscription stream delivered.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivered {
    /// One GraphQL response (`data` and/or `errors`).
    Response(Value),
    /// The stream ended (completed, or the connection closed); the reason, for messages.
    Ended(String),
}

/// An open subscription: its deliveries arrive in the background; dropping it closes it.
pub struct Subscription {
    /// The HTTP status the router answered the subscription request with (101 for a WebSocket).
    pub status: u16,
    deliveries: mpsc::UnboundedReceiver<Delivered>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Subscription {
    /// Opens `query` (with `variables`) at the router's `graphql_url` over `transport`, as
    /// `token`'s bearer when there is one. Returns once the router has answered (and, for a
    /// WebSocket, acknowledged the subscription).
    pub async fn open(
        transport: Transport,
        graphql_url: &str,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Self {
        let body = json!({ "query": query, "variables": variables });
        Self::open_body(transport, graphql_url, token, body).await
    }

    /// Like [`Subscription::open`] with the request body as given (e.g. a `documentId`).
    pub async fn open_body(
        transport: Transport,
        graphql_url: &str,
        token: Option<&str>,
        body: Value,
    ) -> Self {
        let (sender, deliveries) = mpsc::unbounded_channel();
        let (status, task) = match transport {
            Transport::Sse | Transport::Multipart => {
                let accept = if transport == Transport::Sse {
                    "text/event-stream"
                } else {
                    r#"multipart/mixed;subscriptionSpec="1.0", application/json"#
                };
                let mut request = reqwest::Client::new()
                    .post(graphql_url)
                    .header("accept", accept)
                    .json(&body);
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                let response = request
                    .send()
                    .await
                    .expect("the subscription request was sent");
                let status = response.status().as_u16();
                let content_type = response
                    .headers()
                    .get("content-type")
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let task = tokio::spawn(read_http_stream(response, content_type, sender));
                (status, task)
            }
            Transport::WebSocket => {
                let url = graphql_url.replacen("http", "ws", 1);
                let mut request = url.into_client_request().expect("a WebSocket URL");
                request.headers_mut().insert(
                    "sec-websocket-protocol",
                    "graphql-transport-ws".parse().expect("a header value"),
                );
                let (mut socket, response) = tokio_tungstenite::connect_async(request)
                    .await
                    .expect("the WebSocket connected");
                let init = match token {
                    Some(token) => {
                        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })
                    }
                    None => json!({ "type": "connection_init" }),
                };
                socket
                    .send(Message::text(init.to_string()))
                    .await
                    .expect("connection_init sent");
                socket
                    .send(Message::text(
                        json!({ "id": "1", "type": "subscribe", "payload": body }).to_string(),
                    ))
                    .await
                    .expect("subscribe sent");
                let task = tokio::spawn(read_websocket(socket, sender));
                (response.status().as_u16(), task)
            }
        };
        Self {
            status,
            deliveries,
            task,
        }
    }

    /// The next delivery, or `None` when nothing came within `limit`.
    pub async fn next_within(&mut self, limit: Duration) -> Option<Delivered> {
        tokio::time::timeout(limit, self.deliveries.recv())
            .await
            .ok()
            .map(|delivered| delivered.unwrap_or(Delivered::Ended("the reader stopped".into())))
    }

    /// The next response within `limit`; panics (saying `what`) on an end or a silence.
    pub async fn next_response(&mut self, limit: Duration, what: &str) -> Value {
        match self.next_within(limit).await {
            Some(Delivered::Response(response)) => response,
            Some(Delivered::Ended(reason)) => panic!("{what}: the stream ended ({reason})"),
            None => panic!("{what}: nothing arrived within {limit:?}"),
        }
    }

    /// Every delivery until the stream ends or `limit` passes with nothing new.
    pub async fn drain(&mut self, limit: Duration) -> Vec<Delivered> {
        let mut all = Vec::new();
        while let Some(delivered) = self.next_within(limit).await {
            let ended = matches!(delivered, Delivered::Ended(_));
            all.push(delivered);
            if ended {
                break;
            }
        }
        all
    }
}

/// Reads an SSE or multipart response body into deliveries.
async fn read_http_stream(
    response: reqwest::Response,
    content_type: String,
    sender: mpsc::UnboundedSender<Delivered>,
) {
    if content_type.starts_with("multipart/mixed") {
        let boundary = content_type
            .split(';')
            .filter_map(|part| part.trim().strip_prefix("boundary="))
            .next()
            .map(|boundary| boundary.trim_matches('"').to_owned())
            .unwrap_or_else(|| "-".to_owned());
        read_multipart(response, &boundary, &sender).await;
    } else if content_type.starts_with("text/event-stream") {
        read_sse(response, &sender).await;
    } else {
        // A single answer: a refusal.
        let text = response.text().await.unwrap_or_default();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        let _ = sender.send(Delivered::Response(value));
        let _ = sender.send(Delivered::Ended(format!("a single {content_type} answer")));
    }
}

async fn read_sse(response: reqwest::Response, sender: &mpsc::UnboundedSender<Delivered>) {
    let mut events = eventsource_stream::Eventsource::eventsource(response.bytes_stream());
    while let Some(event) = events.next().await {
        match event {
            Ok(event) if event.event == "complete" => {
                let _ = sender.send(Delivered::Ended("complete".into()));
                return;
            }
            Ok(event) if event.data.is_empty() => {}
            Ok(event) => {
                let value = serde_json::from_str(&event.data).unwrap_or(Value::String(event.data));
                let _ = sender.send(Delivered::Response(value));
            }
            Err(error) => {
                let _ = sender.send(Delivered::Ended(error.to_string()));
                return;
            }
        }
    }
    let _ = sender.send(Delivered::Ended("the connection closed".into()));
}

async fn read_multipart(
    response: reqwest::Response,
    boundary: &str,
    sender: &mpsc::UnboundedSender<Delivered>,
) {
    let delimiter = format!("--{boundary}");
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(bytes) => buffer.push_str(&String::from_utf8_lossy(&bytes)),
            Err(error) => {
                let _ = sender.send(Delivered::Ended(error.to_string()));
                return;
            }
        }
        // A part is whole once its JSON parses: the next delimiter may be a heartbeat away.
        while let Some(start) = buffer.find(&delimiter) {
            let after = &buffer[start + delimiter.len()..];
            if after.starts_with("--") {
                let _ = sender.send(Delivered::Ended("the final boundary".into()));
                return;
            }
            let Some(headers_end) = after.find("\r\n\r\n") else {
                break;
            };
            let part_start = start + delimiter.len() + headers_end + 4;
            let rest = &buffer[part_start..];
            let part_len = rest.find(&delimiter).unwrap_or(rest.len());
            let Ok(value) = serde_json::from_str::<Value>(rest[..part_len].trim()) else {
                break;
            };
            // Apollo's protocol: `{}` is a heartbeat, `{"payload": …}` an event, and
            // `{"errors": …}` at the top level a transport error that ends the stream.
            match value.get("payload") {
                Some(payload) if !payload.is_null() => {
                    let _ = sender.send(Delivered::Response(payload.clone()));
                }
                Some(_) => {}
                None if value.get("errors").is_some() => {
                    let _ = sender.send(Delivered::Response(value));
                }
                None => {}
            }
            buffer.drain(..part_start + part_len);
        }
    }
    let _ = sender.send(Delivered::Ended("the multipart body ended".into()));
}

async fn read_websocket<S>(mut socket: S, sender: mpsc::UnboundedSender<Delivered>)
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
        + futures::Sink<Message>
        + Unpin,
{
    while let Some(message) = socket.next().await {
        let text = match message {
            Ok(Message::Text(text)) => text.to_string(),
            Ok(Message::Close(frame)) => {
                let reason = frame.map(|frame| format!("{} {}", frame.code, frame.reason));
                let _ = sender.send(Delivered::Ended(format!(
                    "closed: {}",
                    reason.unwrap_or_default()
                )));
                return;
            }
            Ok(_) => continue,
            Err(error) => {
                let _ = sender.send(Delivered::Ended(error.to_string()));
                return;
            }
        };
        let Ok(message) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        match message["type"].as_str() {
            Some("next") => {
                let _ = sender.send(Delivered::Response(message["payload"].clone()));
            }
            Some("error") => {
                let _ = sender.send(Delivered::Response(json!({ "errors": message["payload"] })));
            }
            Some("complete") => {
                let _ = sender.send(Delivered::Ended("complete".into()));
                return;
            }
            Some("ping") => {
                let _ = socket
                    .send(Message::text(json!({ "type": "pong" }).to_string()))
                    .await;
            }
            _ => {}
        }
    }
    let _ = sender.send(Delivered::Ended("the WebSocket closed".into()));
}
