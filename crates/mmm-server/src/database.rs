//! Database subcommands: migrate, check-db, reset-db.

use crate::commands::CliError;
use crate::{DbArgs, ResetArgs};
use anyhow::anyhow;
use mmm_db::{AnyConnection, DatabaseUrl};

fn open(args: &DbArgs) -> Result<(DatabaseUrl, AnyConnection), CliError> {
    let url = DatabaseUrl::parse(&args.database_url).map_err(|e| anyhow!(e))?;
    let conn = url.connect().map_err(|e| anyhow!(e))?;
    Ok((url, conn))
}

pub fn migrate(args: &DbArgs) -> Result<(), CliError> {
    let (url, mut conn) = open(args)?;
    let applied = mmm_db::migrate(&mut conn).map_err(|e| anyhow!(e))?;
    if applied.is_empty() {
        println!("{} database at {} is up to date", url.backend(), url.redacted());
    } else {
        println!(
            "applied {} migration(s) to {}: {}",
            applied.len(),
            url.redacted(),
            applied.join(", ")
        );
    }
    Ok(())
}

pub fn check(args: &DbArgs) -> Result<(), CliError> {
    let (url, mut conn) = open(args)?;
    let status = mmm_db::status(&mut conn).map_err(|e| anyhow!(e))?;
    println!("backend:    {} {}", status.backend, status.version);
    println!("location:   {}", url.redacted());
    println!(
        "applied:    {}",
        if status.applied.is_empty() { "none".to_owned() } else { status.applied.join(", ") }
    );
    println!(
        "pending:    {}",
        if status.pending.is_empty() { "none".to_owned() } else { status.pending.join(", ") }
    );
    if !status.pending.is_empty() {
        println!("run `mmm migrate` to apply the pending migrations");
    }
    Ok(())
}

pub fn reset(args: &ResetArgs) -> Result<(), CliError> {
    if !args.yes {
        return Err(anyhow!(
            "reset-db deletes every table and all data; run it again with --yes to confirm"
        )
        .into());
    }
    let (url, mut conn) = open(&args.db)?;
    let reverted = mmm_db::revert_all(&mut conn).map_err(|e| anyhow!(e))?;
    let applied = mmm_db::migrate(&mut conn).map_err(|e| anyhow!(e))?;
    println!(
        "reset {} database at {}: reverted {} and applied {} migration(s)",
        url.backend(),
        url.redacted(),
        reverted.len(),
        applied.len()
    );
    Ok(())
}
