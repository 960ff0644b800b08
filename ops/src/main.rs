//! `storefront-ops`: the one-shot steps a deployment runs before the services start.
//! `keyfile` writes the replica set's shared key; `mongo-init` makes the replica set and the
//! users. Both can run on every deploy: they keep what is already there.

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use clap::{Parser, Subcommand};
use mongodb::{
    Client,
    options::{ClientOptions, Credential},
};
use storefront_ops::{keyfile, replica_set, users::User};

#[derive(Debug, Parser)]
#[command(
    name = "storefront-ops",
    version,
    about = "One-shot deployment steps for the storefront's MongoDB"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the replica set's keyfile (random, mode 0400) unless it exists
    Keyfile {
        /// Where mongod reads it (`--keyFile`)
        path: PathBuf,
        /// Owner as UID:GID (mongod's user: 999:999 in the official image)
        #[arg(long, value_parser = parse_owner)]
        owner: Option<(u32, u32)>,
    },
    /// Initiate the replica set, then create the administrator and one user per database,
    /// each limited to its own database
    MongoInit(MongoInit),
}

#[derive(Debug, clap::Args)]
struct MongoInit {
    /// A direct connection to one member. Before any user exists MongoDB accepts the first
    /// one only over localhost, so run this beside mongod (same pod, or Compose's
    /// `network_mode: service:mongo`)
    #[arg(
        long,
        env = "MONGODB_ADMIN_URI",
        default_value = "mongodb://127.0.0.1:27017/?directConnection=true"
    )]
    uri: String,

    /// Replica set name (mongod's `--replSet`)
    #[arg(long, env = "MONGODB_REPLICA_SET", default_value = "rs0")]
    replica_set: String,

    /// Members as the services reach them (host:port), in order; repeatable
    #[arg(
        long = "member",
        env = "MONGODB_MEMBERS",
        value_delimiter = ',',
        required = true
    )]
    members: Vec<String>,

    /// The administrator's name
    #[arg(long, env = "MONGODB_ADMIN_USER", default_value = "admin")]
    admin_user: String,

    /// The administrator's password
    #[arg(long, env = "MONGODB_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: String,

    /// A database and its user's password as NAME=PASSWORD; the user is named after the
    /// database and may only read and write it. Repeatable
    #[arg(long = "database", env = "MONGODB_DATABASES", value_delimiter = ',', value_parser = parse_database, hide_env_values = true)]
    databases: Vec<(String, String)>,

    /// How long to wait for mongod to answer and elect a primary
    #[arg(long, default_value = "90s", value_parser = humantime::parse_duration)]
    wait: Duration,
}

fn parse_owner(text: &str) -> Result<(u32, u32), String> {
    let (uid, gid) = text.split_once(':').ok_or("expected UID:GID")?;
    Ok((
        uid.parse().map_err(|_| "UID must be a number")?,
        gid.parse().map_err(|_| "GID must be a number")?,
    ))
}

fn parse_database(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, password)) if !name.is_empty() && !password.is_empty() => {
            Ok((name.to_owned(), password.to_owned()))
        }
        _ => Err("expected NAME=PASSWORD".to_owned()),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Keyfile { path, owner } => {
            let written = keyfile::ensure(&path, owner)
                .with_context(|| format!("writing the keyfile {}", path.display()))?;
            let what = if written {
                "wrote"
            } else {
                "kept the existing"
            };
            eprintln!("{what} keyfile {}", path.display());
        }
        Command::MongoInit(init) => mongo_init(init).await?,
    }
    Ok(())
}

async fn mongo_init(init: MongoInit) -> anyhow::Result<()> {
    let client = |credential: Option<Credential>| {
        let uri = init.uri.clone();
        async move {
            let mut options = ClientOptions::parse(&uri)
                .await
                .with_context(|| format!("invalid connection string {uri:?}"))?;
            options.server_selection_timeout = Some(Duration::from_secs(2));
            options.credential = credential;
            anyhow::Ok(Client::with_options(options)?)
        }
    };
    let admin_credential = Credential::builder()
        .username(init.admin_user.clone())
        .password(init.admin_password.clone())
        .source("admin".to_owned())
        .build();

    // A fresh deployment has no users: the localhost exception lets this first step in.
    // Later runs find the administrator and sign in as it.
    let anonymous = client(None).await?;
    let signed_in = client(Some(admin_credential)).await?;
    let admin_exists = wait_for_mongod(&anonymous, &signed_in, init.wait).await?;
    let session = if admin_exists { &signed_in } else { &anonymous };
    replica_set::initiate(
        &session.database("admin"),
        &init.replica_set,
        &init.members,
        init.wait,
    )
    .await?;
    if !admin_exists {
        User::admin(
            &anonymous.database("admin"),
            &init.admin_user,
            &init.admin_password,
        )
        .ensure()
        .await
        .context("creating the administrator")?;
        eprintln!("created the administrator {}", init.admin_user);
    }
    for (name, password) in &init.databases {
        let database = signed_in.database(name);
        User::owner_of(&database, password)
            .ensure()
            .await
            .with_context(|| format!("creating the user for database {name}"))?;
        eprintln!("user {name}: readWrite on database {name} only");
    }
    eprintln!("replica set {} ready", init.replica_set);
    Ok(())
}

/// Waits until mongod answers; returns whether the administrator exists (signing in as it
/// works). When it does not, the steps that follow go through the localhost exception, and
/// MongoDB itself refuses them if users exist after all (a wrong administrator password).
async fn wait_for_mongod(
    anonymous: &Client,
    signed_in: &Client,
    limit: Duration,
) -> anyhow::Result<bool> {
    let deadline = std::time::Instant::now() + limit;
    let ping = mongodb::bson::doc! { "ping": 1 };
    loop {
        match anonymous.database("admin").run_command(ping.clone()).await {
            Ok(_) => break,
            Err(err) if std::time::Instant::now() >= deadline => {
                return Err(err).context(format!("mongod did not answer within {limit:?}"));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
    Ok(signed_in.database("admin").run_command(ping).await.is_ok())
}
