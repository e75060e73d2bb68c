//! Dumps too big for one message: stored in a JetStream Object Store bucket under their
//! SHA-256 (so storing the same dump twice keeps one copy), chunked by the client.

use anyhow::Context as _;
use async_nats::jetstream::object_store::{self, ObjectStore};
use tokio::io::AsyncReadExt;

use crate::cluster::Queue;

/// Opens the bucket, creating it on first use (a concurrent creation is fine).
///
/// # Errors
/// If it can be neither opened nor created.
pub async fn ensure_bucket(q: &Queue) -> anyhow::Result<ObjectStore> {
    let bucket = &q.opts.object_bucket;
    if let Ok(store) = q.js.get_object_store(bucket).await {
        return Ok(store);
    }
    let created =
        q.js.create_object_store(object_store::Config {
            bucket: bucket.clone(),
            description: Some("presswire dumps over the server's max payload".into()),
            storage: super::storage(&q.opts),
            num_replicas: q.opts.replicas,
            ..Default::default()
        })
        .await;
    match created {
        Ok(store) => Ok(store),
        Err(e) => q.js.get_object_store(bucket).await.map_err(|_| {
            anyhow::Error::new(e).context(format!("cannot create object bucket {bucket}"))
        }),
    }
}

/// Stores `bytes` as object `name` unless an object of that name and size is already there.
///
/// # Errors
/// If the upload fails.
pub async fn put(store: &ObjectStore, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    if let Ok(info) = store.info(name).await {
        if !info.deleted && info.size == bytes.len() {
            return Ok(());
        }
    }
    let mut reader = bytes;
    store
        .put(name, &mut reader)
        .await
        .with_context(|| format!("cannot store object {name} ({} bytes)", bytes.len()))?;
    Ok(())
}

/// Reads object `name` whole, refusing more than `max_bytes`.
///
/// # Errors
/// If it is missing, too big, or the download fails.
pub async fn get(store: &ObjectStore, name: &str, max_bytes: u64) -> anyhow::Result<Vec<u8>> {
    let object = store
        .get(name)
        .await
        .with_context(|| format!("cannot open object {name}"))?;
    let size = object.info().size as u64;
    if size > max_bytes {
        anyhow::bail!("object {name} is {size} bytes, over max_file_bytes = {max_bytes}");
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    object
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .await
        .with_context(|| format!("cannot read object {name}"))?;
    Ok(bytes)
}

/// Deletes object `name`; a missing object is not an error.
///
/// # Errors
/// If the server refuses.
pub async fn delete(store: &ObjectStore, name: &str) -> anyhow::Result<()> {
    match store.delete(name).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == object_store::DeleteErrorKind::NotFound => Ok(()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("cannot delete object {name}"))),
    }
}
