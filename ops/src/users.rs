//! The users of a deployment: one administrator, and one user per subgraph whose only role
//! is `readWrite` on that subgraph's own database. Creating them again updates their
//! passwords and roles, so the step can run on every deploy.

use mongodb::{
    Database,
    bson::{Document, doc},
};

use crate::error_code;

/// "User already exists".
const USER_EXISTS: i32 = 51003;

/// A user to create in `database` (its authentication database) with `roles`.
pub struct User<'a> {
    pub database: &'a Database,
    pub name: &'a str,
    pub password: &'a str,
    pub roles: Vec<Document>,
}

impl User<'_> {
    /// The administrator, in `admin`, with every privilege.
    pub fn admin<'a>(admin: &'a Database, name: &'a str, password: &'a str) -> User<'a> {
        User {
            database: admin,
            name,
            password,
            roles: vec![doc! { "role": "root", "db": "admin" }],
        }
    }

    /// A subgraph's user, in its own database, able to read and write only that database.
    pub fn owner_of<'a>(database: &'a Database, password: &'a str) -> User<'a> {
        User {
            database,
            name: database.name(),
            password,
            roles: vec![doc! { "role": "readWrite", "db": database.name() }],
        }
    }

    /// Creates the user, or sets its password and roles if it exists.
    pub async fn ensure(&self) -> mongodb::error::Result<()> {
        let created = self
            .database
            .run_command(doc! {
                "createUser": self.name,
                "pwd": self.password,
                "roles": self.roles.clone(),
            })
            .await;
        match created {
            Ok(_) => Ok(()),
            Err(err) if error_code(&err) == Some(USER_EXISTS) => self
                .database
                .run_command(doc! {
                    "updateUser": self.name,
                    "pwd": self.password,
                    "roles": self.roles.clone(),
                })
                .await
                .map(|_| ()),
            Err(err) => Err(err),
        }
    }
}
