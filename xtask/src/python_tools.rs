//! Python test tools, pinned, in a project-local venv (`.dev/python-tools`) so nothing is
//! installed into the machine's Python: podman-compose (runs `docker/compose.yaml`),
//! kubernetes-validate (offline Kubernetes schemas) and checkov (policy scan).

use std::path::PathBuf;

use anyhow::Context;
use tokio::process::Command;

use crate::{paths, process::run_to_completion};

/// Each tool at the version the tests were written against.
const REQUIREMENTS: &str = "podman-compose==1.6.0\nkubernetes-validate==1.37.0\ncheckov==3.3.30\n";

/// The venv's `bin/` folder, with every tool installed (once; again when the pins change).
pub async fn ensure() -> anyhow::Result<PathBuf> {
    let venv = paths::dev_dir().join("python-tools");
    let bin = venv.join("bin");
    let installed = venv.join("requirements.txt");
    if std::fs::read_to_string(&installed).ok().as_deref() == Some(REQUIREMENTS) {
        return Ok(bin);
    }
    crate::step("Installing the Python test tools into .dev/python-tools (first run only)");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let mut create = Command::new(&python);
    create.arg("-m").arg("venv").arg(&venv);
    run_to_completion("python3 -m venv", create)
        .await
        .context("the Python test tools need Python 3 with the venv module")?;
    let requirements = paths::dev_dir().join("python-tools.txt");
    std::fs::write(&requirements, REQUIREMENTS)?;
    let mut install = Command::new(bin.join("pip"));
    install
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements);
    run_to_completion("pip install (Python test tools)", install).await?;
    std::fs::write(&installed, REQUIREMENTS)?;
    Ok(bin)
}
