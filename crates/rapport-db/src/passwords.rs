//! Argon2id hashing on a fixed set of threads, with a bounded queue.
//!
//! One hash takes 19 MiB and tens of milliseconds of a core. Run on tokio's
//! blocking pool, a burst of logins ran hundreds at once, each on its own
//! thread with its own allocator arena, and the memory never came back.
//! Here at most one hash per core runs, always on the same few threads (so
//! at most that many 19 MiB buffers are ever kept), and a bounded number of
//! requests wait for them: one beyond the queue is told to retry
//! ([`DomainError::Busy`]) before it costs anything.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use rapport_core::DomainError;
use tokio::sync::{Semaphore, SemaphorePermit, oneshot};

use crate::error::{Error, Result};

/// Hashes waiting per hashing thread before new ones are refused: with a
/// hash at ~40 ms, a queued login waits at most about a third of a second.
const QUEUED_PER_THREAD: usize = 8;

type Job = Box<dyn FnOnce() + Send>;

struct Pool {
    jobs: SyncSender<Job>,
    /// One permit per hash running or queued.
    admission: Semaphore,
    threads: usize,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        let queued = threads * QUEUED_PER_THREAD;
        let (jobs, receiver) = sync_channel::<Job>(queued);
        let receiver = Arc::new(Mutex::new(receiver));
        for i in 0..threads {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("rapport-argon2-{i}"))
                .spawn(move || work(&receiver))
                .expect("start a password hashing thread");
        }
        Pool { jobs, admission: Semaphore::new(queued), threads }
    })
}

fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while taking a job, not while running it.
        let job = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// The number of hashes that run at once.
pub fn hashing_threads() -> usize {
    pool().threads
}

/// A place in the hashing queue. Taking one is instant; it is what a login
/// must hold before it counts its attempt, so that a refused login costs
/// neither a hash nor an attempt.
pub struct HashSlot {
    _permit: SemaphorePermit<'static>,
}

impl HashSlot {
    /// A place if one is free now; otherwise the caller should retry shortly.
    pub fn try_reserve() -> std::result::Result<Self, DomainError> {
        pool()
            .admission
            .try_acquire()
            .map(|_permit| Self { _permit })
            .map_err(|_| DomainError::Busy { retry_after_secs: 1 })
    }

    /// Waits for a place (for hashing a new password, which is not an
    /// anonymous request).
    pub async fn reserve() -> Result<Self> {
        let _permit = pool().admission.acquire().await.map_err(|_| Error::Config("the hashing pool closed".into()))?;
        Ok(Self { _permit })
    }

    async fn run<T: Send + 'static>(self, job: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(job());
        });
        // The queue holds as many jobs as there are permits, and this job
        // holds one: there is always room.
        pool().jobs.try_send(job).map_err(|_| Error::Config("the hashing queue is full or closed".into()))?;
        let value = result.await.map_err(|_| Error::Config("a password hashing thread stopped".into()));
        drop(self);
        value
    }

    /// Argon2id with a random salt.
    pub async fn hash(self, password: &str) -> Result<String> {
        let password = password.to_owned();
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
        })
        .await?
        .map_err(|e| Error::Config(format!("password hashing failed: {e}")))
    }

    /// Constant-time verification; a missing hash never verifies, after the
    /// same work as a real one, so that unknown accounts take as long.
    pub async fn verify(self, password: &str, hash: Option<String>) -> bool {
        const DUMMY: &str =
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0m0aLe2v1Ee3Sg3ANg1wOa7AWm+6AKd7D6K3n8EmhQI";
        let password = password.to_owned();
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY.to_owned());
        let valid = self
            .run(move || {
                PasswordHash::new(&hash)
                    .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            })
            .await
            .unwrap_or(false);
        valid && known
    }
}

/// Hashes a new password, waiting for a place in the queue.
pub async fn hash_password(password: &str) -> Result<String> {
    HashSlot::reserve().await?.hash(password).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test, as the pool is shared by the whole process.
    #[tokio::test]
    async fn hashes_verify_their_password_only_and_the_queue_is_bounded() {
        let hash = hash_password("correct horse battery").await.expect("hash");
        assert!(HashSlot::reserve().await.unwrap().verify("correct horse battery", Some(hash.clone())).await);
        assert!(!HashSlot::reserve().await.unwrap().verify("wrong horse battery", Some(hash)).await);
        assert!(!HashSlot::reserve().await.unwrap().verify("anything", None).await);

        let held: Vec<HashSlot> = std::iter::from_fn(|| HashSlot::try_reserve().ok()).collect();
        assert_eq!(held.len(), hashing_threads() * QUEUED_PER_THREAD);
        assert!(matches!(HashSlot::try_reserve(), Err(DomainError::Busy { retry_after_secs: 1 })));
        drop(held);
        assert!(HashSlot::try_reserve().is_ok());
    }
}
