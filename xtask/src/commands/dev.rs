//! `cargo xtask dev`: MongoDB, seed data, every subgraph, the router and the web storefront, in
//! the foreground until Ctrl-C or SIGTERM, which stop every child this started.

use clap::Args;
use tokio::signal::unix::{SignalKind, signal};
use xtask::{
    mongo::{self, LocalMongo},
    paths,
    process::Output,
    roster::{ROUTER_PORT, SUBGRAPHS, WEB_PORT},
    stack::{Stack, StackOptions, WebOptions},
    web,
};

use super::{build_binaries, build_release_binaries, step};

#[derive(Debug, Args)]
pub struct DevArgs {
    /// Demo products to seed (use 100000 for benchmarks)
    #[arg(long, default_value_t = 1000)]
    products: usize,

    /// Use this MongoDB instead of starting a local one
    #[arg(long, env = "MONGODB_URI")]
    mongodb_uri: Option<String>,

    /// A MongoDB of its own for one subgraph, `SUBGRAPH=URI` (repeatable): a database per
    /// service on separate replica sets; the others use MONGODB_URI (or the local one)
    #[arg(long = "database", value_name = "SUBGRAPH=URI", value_parser = subgraph_uri)]
    databases: Vec<(String, String)>,

    /// Port of the local MongoDB started when no MONGODB_URI is given
    #[arg(long, default_value_t = 27017)]
    mongodb_port: u16,

    /// Serve release builds (what `cargo xtask bench` measures; for profiling); the first
    /// release build takes a while
    #[arg(long)]
    release: bool,
}

pub async fn run(args: DevArgs) -> anyhow::Result<()> {
    let bin_dir = if args.release {
        build_release_binaries().await?
    } else {
        build_binaries().await?;
        paths::debug_bin_dir()
    };
    let dist = web::ensure_bundle().await?;

    let (local_mongo, mongodb_uri) = match args.mongodb_uri {
        Some(uri) => {
            step(&format!("Using MongoDB at {uri}"));
            (None, uri)
        }
        None => {
            let binary = mongo::ensure_binary(&paths::dev_dir()).await?;
            let data = paths::dev_dir().join("mongodb/data");
            let log = paths::dev_dir().join("mongodb/mongod.log");
            step(&format!(
                "Starting MongoDB 6.0.5 on 127.0.0.1:{} (data in {}, log in {})",
                args.mongodb_port,
                data.display(),
                log.display()
            ));
            let local =
                LocalMongo::start(&binary, &data, args.mongodb_port, &Output::File(log)).await?;
            let uri = local.uri();
            (Some(local), uri)
        }
    };

    step(&format!(
        "Seeding {} demo products and starting the subgraphs, the router and the web storefront",
        args.products
    ));
    let mut options = StackOptions::dev(bin_dir, mongodb_uri);
    options.seed_products = Some(args.products);
    for (subgraph, uri) in args.databases {
        step(&format!("{subgraph} stores in MongoDB at {uri}"));
        options.subgraph_mongodb_uris.insert(subgraph, uri);
    }
    options.web = Some(WebOptions {
        port: WEB_PORT,
        dist,
    });
    let started = Stack::start(options).await;
    let mut stack = match started {
        Ok(stack) => stack,
        Err(err) => {
            if let Some(mongo) = local_mongo {
                mongo.service.stop(std::time::Duration::from_secs(10)).await;
            }
            return Err(err);
        }
    };
    print_banner(&stack);

    let mut terminate = signal(SignalKind::terminate())?;
    let reason = tokio::select! {
        _ = tokio::signal::ctrl_c() => "Ctrl-C".to_owned(),
        _ = terminate.recv() => "SIGTERM".to_owned(),
        exited = stack.any_exited() => exited,
    };
    step(&format!("Stopping everything ({reason})"));
    stack.stop().await;
    if let Some(mongo) = local_mongo {
        mongo.service.stop(std::time::Duration::from_secs(20)).await;
    }
    step("Stopped");
    Ok(())
}

/// `SUBGRAPH=URI`, for a subgraph of the roster.
fn subgraph_uri(given: &str) -> Result<(String, String), String> {
    let (subgraph, uri) = given
        .split_once('=')
        .ok_or_else(|| format!("{given:?} is not SUBGRAPH=URI"))?;
    if !SUBGRAPHS.iter().any(|spec| spec.name == subgraph) {
        let known: Vec<&str> = SUBGRAPHS.iter().map(|spec| spec.name).collect();
        return Err(format!(
            "no subgraph {subgraph:?} (the roster has {known:?})"
        ));
    }
    Ok((subgraph.to_owned(), uri.to_owned()))
}

fn print_banner(stack: &Stack) {
    let router = stack.router_url();
    println!();
    println!("  Storefront is up.");
    if let Some(web) = stack.web_url() {
        println!("  Web storefront     {web}   (sign in as any user: dev only)");
    }
    println!("  GraphQL endpoint   {router}");
    println!("  Playground         {router}   (open it in a browser)");
    println!("  Router health      http://127.0.0.1:{ROUTER_PORT}/health");
    println!();
    println!("  Try:");
    println!(
        "    curl -s {router} -H 'content-type: application/json' \\\n      -d '{{\"query\":\"{{ products(first: 3) {{ edges {{ node {{ name price {{ amount currencyCode }} }} }} }} }}\"}}'"
    );
    println!();
    println!("  Ctrl-C stops every process started here.");
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_of_its_own_names_a_subgraph_of_the_roster() {
        assert_eq!(
            subgraph_uri("cart=mongodb://carts:27017/?replicaSet=rs1"),
            Ok((
                "cart".into(),
                "mongodb://carts:27017/?replicaSet=rs1".into()
            ))
        );
        assert!(
            subgraph_uri("carts=mongodb://x")
                .unwrap_err()
                .contains("roster")
        );
        assert!(subgraph_uri("mongodb://x").is_err());
    }
}
