//! `presswire schema`: print the JSON Schema of the output record.

use presswire::Record;

/// Prints the schema, generated from the [`Record`] type itself.
///
/// # Errors
/// If stdout cannot be written.
pub fn run() -> anyhow::Result<()> {
    let schema = schemars::schema_for!(Record);
    println!("{}", serde_json::to_string_pretty(&schema)?);
    Ok(())
}
