//! What a subgraph's subscriptions are made of: MongoDB change streams shared by every
//! subscriber in the process ([`ChangeFeed`]). The transport (GraphQL over Server-Sent Events,
//! what the router asks a subgraph for) is [`crate::server`]'s.

mod feed;

pub use feed::{ChangeFeed, Heard, Listener};
