//! `cargo xtask token <user>`: a dev JWT alone on stdout, for `Authorization: Bearer …`.

use std::time::Duration;

use clap::Args;
use dev_identity::{SCOPES, dev_token};
use xtask::paths;

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The user the token speaks for (its `sub` claim)
    user: String,

    /// How long the token stays valid, in seconds
    #[arg(long, default_value_t = 86_400)]
    ttl: u64,

    /// The token's scopes, space-separated (`""` for none: the router then refuses cart changes)
    #[arg(long, default_value = SCOPES)]
    scopes: String,
}

pub fn run(args: TokenArgs) -> anyhow::Result<()> {
    println!(
        "{}",
        dev_token(
            &paths::dev_signing_key(),
            &args.user,
            &args.scopes,
            Duration::from_secs(args.ttl)
        )?
    );
    Ok(())
}
